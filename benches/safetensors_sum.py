"""The peer of `mri inspect` for the benchmark: open every safetensors shard of a
folder with the Python `safetensors` library and sum the tensor shapes, as a
user would to count parameters without loading the weights."""
import glob
import math
import sys

from safetensors import safe_open

total = 0
tensors = 0
for path in sorted(glob.glob(sys.argv[1] + "/*.safetensors")):
    with safe_open(path, framework="numpy") as f:
        for name in f.keys():
            total += math.prod(f.get_slice(name).get_shape())
            tensors += 1
print(total, tensors)
