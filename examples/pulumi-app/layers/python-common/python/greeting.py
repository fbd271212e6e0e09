"""Shared by every Python function through the python-common layer."""


def greet(name: str) -> str:
    return f"Hello, {name}, from a layersmith layer"
