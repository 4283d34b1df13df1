"""Writes a GGUF with every tensor of IN dequantized to F32 (the `gguf`
package's own dequantization; metadata copied, file type ALL_F32): the
exact weights a quantized file holds, for runtimes to agree on without
their kernels' rounding of the activations.

    python gguf_dequantize.py IN.gguf OUT.gguf

Used in BENCHMARKS.md to tell a runtime's arithmetic from its forward's
logic: two runtimes that agree on OUT compute the same function, and their
differences on IN come from their quantized kernels.
"""

import sys

import numpy as np
from gguf import GGUFReader, GGUFWriter
from gguf.quants import dequantize

import gguf_widen as wide

reader = GGUFReader(sys.argv[1])
arch = reader.fields["general.architecture"].contents()
writer = GGUFWriter(sys.argv[2], arch)
wide.copy_metadata(reader, writer, {"general.file_type": 0})
for t in reader.tensors:
    writer.add_tensor(t.name, dequantize(t.data, t.tensor_type).astype(np.float32))
wide.finish(writer)
