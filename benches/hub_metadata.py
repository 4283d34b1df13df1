"""The peer of `mri inspect hf://...` for the remote benchmark: what a user
would otherwise run to count a Hub model's parameters without downloading
it, `huggingface_hub.get_safetensors_metadata` (index downloaded, each shard
header read with Range requests). Honours HF_ENDPOINT like mri.

    python hub_metadata.py ORG/NAME
"""
import sys

from huggingface_hub import get_safetensors_metadata

meta = get_safetensors_metadata(sys.argv[1])
total = sum(meta.parameter_count.values())
tensors = sum(len(f.tensors) for f in meta.files_metadata.values())
print(total, tensors)
