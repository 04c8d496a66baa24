// The admin API as the pages use it: JSON in, {status, body} out, never a thrown HTTP error.
export async function api(path, options) {
  const response = await fetch(path, options);
  let body;
  try { body = await response.json(); } catch (e) { body = { error: 'not JSON: HTTP ' + response.status }; }
  return { status: response.status, body };
}

/** The body of a 200 answer, or an Error with the API's own message. */
export async function read(path) {
  const { status, body } = await api(path);
  if (status !== 200) throw new Error(body.error || 'HTTP ' + status);
  return body;
}

export const status = () => read('/api/status');
export const traffic = deployment => read('/api/traffic' + (deployment ? '?deployment=' + encodeURIComponent(deployment) : ''));
export const events = (params) => read('/api/events?' + new URLSearchParams(params || {}));
export const logsPath = (deployment, params) => '/api/logs/' + encodeURIComponent(deployment) + '?' + new URLSearchParams(params || {});
export const requestsPath = (deployment, params) => '/api/requests/' + encodeURIComponent(deployment) + '?' + new URLSearchParams(params || {});
