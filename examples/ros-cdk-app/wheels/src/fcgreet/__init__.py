"""Greetings for the layersmith ROS CDK example: a tiny pure-Python package shipped as a wheel."""

__version__ = "1.0.0"


def greet(name: str) -> str:
    return f"Hello, {name}, from a Function Compute layer"
