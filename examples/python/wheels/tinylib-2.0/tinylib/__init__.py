"""tinylib 2.0: a library with two incompatible versions, for the side-by-side example."""
__version__ = "2.0"


def greet(name):
    return {"greeting": "hello", "name": name}
