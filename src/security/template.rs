//! Chat templates that reach into Jinja or Python internals — the known
//! sandbox-escape tricks — instead of formatting messages.

/// Patterns that only an escape attempt needs, with why.
const SUSPICIOUS: &[(&str, &str)] = &[
    ("__class__", "reaches Python object internals"),
    ("__globals__", "reaches a function's globals"),
    ("__builtins__", "reaches Python's builtins"),
    ("__subclasses__", "walks the class hierarchy"),
    ("__mro__", "walks the class hierarchy"),
    ("__base__", "walks the class hierarchy"),
    ("__init__", "reaches a constructor's globals"),
    ("__import__", "imports modules"),
    ("__getattribute__", "reaches attributes dynamically"),
    ("__dict__", "reaches object internals"),
    (
        "cycler.",
        "uses the `cycler` object, a known route to Python globals",
    ),
    (
        "joiner.",
        "uses the `joiner` object, a known route to Python globals",
    ),
    (
        "lipsum.",
        "uses the `lipsum` function, a known route to Python globals",
    ),
    ("namespace.__", "reaches `namespace` internals"),
    ("self.__", "reaches the template's own internals"),
    ("request.", "reaches a web request object"),
    ("os.popen", "runs a shell command"),
    ("subprocess", "runs a process"),
];

/// The suspicious constructs found in a template: (pattern, why).
pub fn suspicious(template: &str) -> Vec<(&'static str, &'static str)> {
    SUSPICIOUS
        .iter()
        .filter(|(p, _)| template.contains(p))
        .copied()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_found_and_ordinary_templates_pass() {
        let evil = "{{ cycler.__init__.__globals__.os.popen('id').read() }}";
        let found: Vec<&str> = suspicious(evil).iter().map(|(p, _)| *p).collect();
        assert!(
            found.contains(&"__globals__") && found.contains(&"cycler."),
            "{found:?}"
        );
        let ok = "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n{% endfor %}";
        assert!(suspicious(ok).is_empty());
    }
}
