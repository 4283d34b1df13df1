//! Which imported callables are known-safe in model checkpoints, and which
//! can run code. Lists follow the maintained scanners (picklescan, modelscan).

/// How dangerous an import is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Danger {
    /// Can execute code, touch the system or the network.
    Dangerous,
    /// Not on either list.
    Unknown,
    /// A known building block of PyTorch/NumPy checkpoints.
    Safe,
}

/// Modules whose every member is dangerous.
const DANGEROUS_MODULES: &[&str] = &[
    "os",
    "posix",
    "nt",
    "subprocess",
    "sys",
    "socket",
    "shutil",
    "runpy",
    "importlib",
    "marshal",
    "pickle",
    "_pickle",
    "cPickle",
    "dill",
    "ctypes",
    "webbrowser",
    "pty",
    "code",
    "codeop",
    "commands",
    "asyncio",
    "multiprocessing",
    "requests",
    "urllib",
    "urllib2",
    "urllib3",
    "http",
    "httplib",
    "ftplib",
    "telnetlib",
    "smtplib",
    "poplib",
    "imaplib",
    "pdb",
    "bdb",
    "timeit",
    "cProfile",
    "profile",
    "pip",
    "setuptools",
    "distutils",
    "venv",
    "signal",
    "tempfile",
    "_posixsubprocess",
    "_io",
    "io",
    "glob",
    "pathlib",
    "zipimport",
    "pkgutil",
    "builtins.exec",
    "aiohttp",
    "httpx",
    "paramiko",
    "pydoc",
    "platform",
    "site",
    "sysconfig",
    "threading",
    "_thread",
    "thread",
];

/// Single callables that are dangerous in otherwise harmless modules.
const DANGEROUS_CALLABLES: &[(&str, &str)] = &[
    ("builtins", "eval"),
    ("builtins", "exec"),
    ("builtins", "execfile"),
    ("builtins", "compile"),
    ("builtins", "__import__"),
    ("builtins", "getattr"),
    ("builtins", "setattr"),
    ("builtins", "delattr"),
    ("builtins", "open"),
    ("builtins", "apply"),
    ("builtins", "globals"),
    ("builtins", "locals"),
    ("builtins", "vars"),
    ("builtins", "breakpoint"),
    ("builtins", "input"),
    ("builtins", "memoryview"),
    ("__builtin__", "eval"),
    ("__builtin__", "exec"),
    ("__builtin__", "execfile"),
    ("__builtin__", "compile"),
    ("__builtin__", "__import__"),
    ("__builtin__", "getattr"),
    ("__builtin__", "setattr"),
    ("__builtin__", "open"),
    ("__builtin__", "apply"),
    ("__builtin__", "globals"),
    ("__builtin__", "file"),
    ("functools", "partial"),
    ("functools", "reduce"),
    ("operator", "attrgetter"),
    ("operator", "itemgetter"),
    ("operator", "methodcaller"),
    ("numpy.testing._private.utils", "runstring"),
    ("torch.hub", "load"),
    ("torch.hub", "load_state_dict_from_url"),
    ("torch", "load"),
    ("torch.serialization", "load"),
    ("torch.jit", "load"),
    ("torch._inductor.codecache", "compile_file"),
    ("types", "CodeType"),
    ("types", "FunctionType"),
    ("copyreg", "_reconstructor"),
];

/// Known building blocks of checkpoints.
const SAFE_CALLABLES: &[(&str, &str)] = &[
    ("collections", "OrderedDict"),
    ("collections", "defaultdict"),
    ("collections", "Counter"),
    ("builtins", "set"),
    ("builtins", "frozenset"),
    ("builtins", "dict"),
    ("builtins", "list"),
    ("builtins", "tuple"),
    ("builtins", "bytearray"),
    ("builtins", "bytes"),
    ("builtins", "slice"),
    ("builtins", "complex"),
    ("builtins", "range"),
    ("builtins", "int"),
    ("builtins", "float"),
    ("builtins", "str"),
    ("builtins", "bool"),
    ("__builtin__", "set"),
    ("__builtin__", "frozenset"),
    ("_codecs", "encode"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"),
    ("numpy._core.multiarray", "scalar"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("numpy", "core"),
    ("torch", "Size"),
    ("torch", "device"),
    ("torch", "dtype"),
    ("torch._tensor", "_rebuild_from_type_v2"),
    ("torch.nn.parameter", "Parameter"),
    ("torch.serialization", "_get_layout"),
    ("torch", "_utils"),
];

const TORCH_DTYPES: &[&str] = &[
    "float32",
    "float16",
    "bfloat16",
    "float64",
    "int64",
    "int32",
    "int16",
    "int8",
    "uint8",
    "bool",
    "float8_e4m3fn",
    "float8_e5m2",
    "complex64",
    "complex128",
];

/// Classifies `module.name`.
pub fn classify(module: &str, name: &str) -> Danger {
    if module == "?" || name == "?" {
        return Danger::Unknown;
    }
    let root = module.split('.').next().unwrap_or(module);
    if DANGEROUS_CALLABLES
        .iter()
        .any(|(m, n)| *m == module && *n == name)
    {
        return Danger::Dangerous;
    }
    if DANGEROUS_MODULES.contains(&root) || DANGEROUS_MODULES.contains(&module) {
        return Danger::Dangerous;
    }
    if SAFE_CALLABLES
        .iter()
        .any(|(m, n)| *m == module && *n == name)
    {
        return Danger::Safe;
    }
    if module == "torch._utils" && name.starts_with("_rebuild_") {
        return Danger::Safe;
    }
    if module == "torch" && (name.ends_with("Storage") || TORCH_DTYPES.contains(&name)) {
        return Danger::Safe;
    }
    if module == "torch.storage" && matches!(name, "UntypedStorage" | "TypedStorage") {
        return Danger::Safe;
    }
    Danger::Unknown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists() {
        assert_eq!(classify("os", "system"), Danger::Dangerous);
        assert_eq!(classify("os.path", "join"), Danger::Dangerous);
        assert_eq!(classify("builtins", "eval"), Danger::Dangerous);
        assert_eq!(classify("functools", "partial"), Danger::Dangerous);
        assert_eq!(classify("torch._utils", "_rebuild_tensor_v2"), Danger::Safe);
        assert_eq!(classify("torch", "BFloat16Storage"), Danger::Safe);
        assert_eq!(classify("collections", "OrderedDict"), Danger::Safe);
        assert_eq!(classify("builtins", "set"), Danger::Safe);
        assert_eq!(classify("argparse", "Namespace"), Danger::Unknown);
        assert_eq!(classify("?", "?"), Danger::Unknown);
    }
}
