"""Writes a GGUF in another quantization (SmolLM2-135M-Instruct from its
Q4_1 file, or the F16 models of benches/gguf_widen.py, gguf_gemma3.py and
gguf_moe.py) with llama.cpp's own `llama_model_quantize` (the CPU build in
the PyPI wheel llama-cpp-cffi, loaded as benches/gguf_llamacpp.py loads it;
the same shim LD_PRELOADed): every tensor dequantized to f32 and quantized
again (`allow_requantize`): from the Q4_1 file the weights are rounded
twice, from an F16 one once.

    python gguf_requantize.py IN.gguf OUT.gguf q4_1|q8_0|q4_k_m|iq4_xs
"""

import sys

import llamacpp_lib

src, dst, kind = sys.argv[1], sys.argv[2], sys.argv[3]
module = llamacpp_lib.load()
lib = module.lib

ftype = {
    "q4_1": lib.LLAMA_FTYPE_MOSTLY_Q4_1,
    "q8_0": lib.LLAMA_FTYPE_MOSTLY_Q8_0,
    "q4_k_m": lib.LLAMA_FTYPE_MOSTLY_Q4_K_M,
    "iq4_xs": lib.LLAMA_FTYPE_MOSTLY_IQ4_XS,
}[kind]
lib.llama_backend_init()
params = lib.llama_model_quantize_default_params()
params.ftype = ftype
params.allow_requantize = True
params.nthread = 1
rc = lib.llama_model_quantize(src.encode(), dst.encode(), module.ffi.new("llama_model_quantize_params *", params))
sys.exit(1 if rc != 0 else 0)
