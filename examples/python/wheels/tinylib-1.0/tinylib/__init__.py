"""tinylib 1.0: a library with two incompatible versions, for the side-by-side example."""
__version__ = "1.0"


def greet(name):
    return "hello, " + name
