"""llama.cpp's CPU build inside the PyPI wheel llama-cpp-cffi, loaded
directly (the package's own imports are not needed): the extension module
`_llama_cpp_cpu` found beside numpy in the venv's site-packages. Shared by
benches/gguf_llamacpp.py and benches/gguf_requantize.py."""

import glob
import importlib.machinery
import importlib.util
import os

import numpy as np


def load():
    """The loaded extension module (its `lib` and `ffi`)."""
    site = os.path.dirname(os.path.dirname(np.__file__))
    so = glob.glob(os.path.join(site, "llama", "_llama_cpp_cpu*.so"))[0]
    loader = importlib.machinery.ExtensionFileLoader("_llama_cpp_cpu", so)
    spec = importlib.util.spec_from_file_location("_llama_cpp_cpu", so, loader=loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module
