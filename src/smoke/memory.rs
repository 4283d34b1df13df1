//! Memory: what a run will need (estimated from the headers before any
//! weight is read), what the machine has, and the peak the process reached.

use super::backend::Request;
use crate::model::config::Architecture;
use std::fs;

/// Fixed working memory on top of the weights: the tokenizer, the runtime,
/// the code (measured: a tiny model peaks near 20 MB).
pub(crate) const BASE_BYTES: u64 = 64 << 20;

/// Estimates the bytes a run needs: the weights in the dtype they are
/// loaded in (read straight into it, no second copy: `reader.rs`), the
/// `transient` bytes of the largest temporary (a read chunk, a weight
/// widened to f32 by a kernel or a LoRA merge), and the activations, KV
/// cache and logits of `positions` tokens in f32.
pub(crate) fn estimate(
    requests: &[Request],
    transient: u64,
    arch: Option<&Architecture>,
    positions: u64,
) -> (u64, u64) {
    let weights: u64 = requests
        .iter()
        .map(|r| {
            (r.shape.iter().map(|d| *d as u64).product::<u64>())
                .saturating_mul(r.dtype.size_in_bytes() as u64)
        })
        .fold(0u64, u64::saturating_add);
    let mut work = BASE_BYTES.saturating_add(transient);
    if let Some(a) = arch {
        let hidden = a.hidden_size.unwrap_or(0);
        let inter = a.intermediate_size.unwrap_or(hidden.saturating_mul(4));
        let heads = a.num_attention_heads.unwrap_or(0);
        let layers = a.num_layers.unwrap_or(0);
        let kv = a
            .num_key_value_heads
            .unwrap_or(heads)
            .saturating_mul(a.head_dim.unwrap_or(0));
        let vocab = a.vocab_size.unwrap_or(0);
        let p = positions;
        let f32s = [
            // a few live copies of the residual stream and the MLP's inside
            p.saturating_mul(
                hidden
                    .saturating_mul(8)
                    .saturating_add(inter.saturating_mul(3)),
            ),
            // attention scores of one layer
            heads.saturating_mul(p).saturating_mul(p),
            // KV cache of every layer, grown by doubling (`kv_cache.rs`)
            layers
                .saturating_mul(2)
                .saturating_mul(kv)
                .saturating_mul(super::kv_cache::capacity_for(p)),
            // logits (and their softmax)
            vocab.saturating_mul(2),
        ];
        work = f32s
            .iter()
            .fold(work, |acc, n| acc.saturating_add(n.saturating_mul(4)));
    }
    (weights, weights.saturating_add(work))
}

/// The bytes a smoke run may use, when known before loading: the caller's
/// limit, else on the CPU the memory available (a GPU's is not known).
pub fn budget(limit: Option<u64>, on_cpu: bool) -> Option<u64> {
    budget_from(limit, on_cpu, available_memory)
}

/// [`budget`] with the machine's free memory read by `available`, so that
/// the choice can be tested without the reading, which moves between calls.
fn budget_from(
    limit: Option<u64>,
    on_cpu: bool,
    available: impl FnOnce() -> Option<u64>,
) -> Option<u64> {
    limit.or_else(|| if on_cpu { available() } else { None })
}

/// Bytes this process may still allocate: `MemAvailable`, lowered to what a
/// cgroup (v2 or v1) limit leaves. `None` when neither can be read.
pub fn available_memory() -> Option<u64> {
    let meminfo = fs::read_to_string("/proc/meminfo").ok().and_then(|text| {
        text.lines()
            .find_map(|l| l.strip_prefix("MemAvailable:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map(|kb| kb.saturating_mul(1024))
    });
    let cgroup = cgroup_headroom();
    match (meminfo, cgroup) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn cgroup_headroom() -> Option<u64> {
    let own = fs::read_to_string("/proc/self/cgroup").ok()?;
    for line in own.lines() {
        let mut parts = line.splitn(3, ':');
        let (_, controllers, path) = (parts.next()?, parts.next()?, parts.next()?);
        let (limit_file, usage_file) = if controllers.is_empty() {
            let dir = format!("/sys/fs/cgroup{path}");
            (format!("{dir}/memory.max"), format!("{dir}/memory.current"))
        } else if controllers.split(',').any(|c| c == "memory") {
            let dir = format!("/sys/fs/cgroup/memory{path}");
            (
                format!("{dir}/memory.limit_in_bytes"),
                format!("{dir}/memory.usage_in_bytes"),
            )
        } else {
            continue;
        };
        let read = |f: &str| {
            fs::read_to_string(f)
                .ok()
                .and_then(|s| s.trim().parse::<u64>().ok())
        };
        // "max" (v2) does not parse: no limit. v1 reports no limit as a huge number.
        if let Some(limit) = read(&limit_file).filter(|l| *l < (1u64 << 60)) {
            let used = read(&usage_file).unwrap_or(0);
            return Some(limit.saturating_sub(used));
        }
    }
    None
}

/// The peak resident set size of this process (`VmHWM`), on Linux.
pub fn peak_rss() -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kb| kb * 1024)
}

/// The memory a run may use: `given` (`--memory-limit`), else the
/// `MRI_SMOKE_MEMORY_LIMIT` variable, else none (what the machine has).
/// `Err` names the text that is not a size.
pub fn limit(given: Option<&str>) -> Result<Option<u64>, String> {
    let text = given.map(str::to_string).or_else(|| {
        std::env::var("MRI_SMOKE_MEMORY_LIMIT")
            .ok()
            .filter(|v| !v.is_empty())
    });
    match text {
        Some(text) => parse_size(&text).map(Some).ok_or_else(|| {
            format!("memory limit `{text}` is not a size (e.g. 8G, 512MiB, 1000000)")
        }),
        None => Ok(None),
    }
}

/// Parses a size such as `512M`, `2G`, `1.5GiB` or `1000000` (bytes).
pub fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let value: f64 = number.parse().ok()?;
    let factor: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "g" | "gb" => 1e9,
        "t" | "tb" => 1e12,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        "tib" => 1024.0f64.powi(4),
        _ => return None,
    };
    let bytes = value * factor;
    (0.0..1.8e19).contains(&bytes).then_some(bytes as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::DType;

    #[test]
    fn the_budget_is_the_limit_else_the_cpu_memory_else_unknown() {
        let free = || Some(7);
        assert_eq!(budget_from(Some(5), false, free), Some(5));
        assert_eq!(budget_from(Some(5), true, free), Some(5));
        assert_eq!(
            budget_from(None, false, free),
            None,
            "a GPU's memory is not known"
        );
        assert_eq!(budget_from(None, true, free), Some(7));
        assert_eq!(budget_from(None, true, || None), None);
        // The public entry reads the machine: a limit still wins there.
        assert_eq!(budget(Some(5), true), Some(5));
    }

    #[test]
    fn sizes_parse_with_units() {
        assert_eq!(parse_size("1000"), Some(1000));
        assert_eq!(parse_size("2G"), Some(2_000_000_000));
        assert_eq!(parse_size("1.5GiB"), Some(1_610_612_736));
        assert_eq!(parse_size("10 MB"), Some(10_000_000));
        assert_eq!(parse_size("x"), None);
        assert_eq!(parse_size("5 parsecs"), None);
    }

    #[test]
    fn weights_count_in_the_loaded_dtype() {
        let r = |shape: Vec<usize>, dtype| Request {
            name: "w".into(),
            shape,
            dtype,
            problem: None,
        };
        let (w, total) = estimate(
            &[r(vec![1000, 1000], DType::F32), r(vec![10], DType::BF16)],
            0,
            None,
            8,
        );
        assert_eq!(w, 4_000_020);
        assert_eq!(total, w + BASE_BYTES);
    }

    /// The KV term is what a cache holds after that many positions: its
    /// buffers (keys and values, every layer) at the capacity it grew to,
    /// whether the positions came in one pass or one at a time.
    #[test]
    fn the_kv_cache_counts_the_capacity_it_grows_to() {
        use super::super::kv_cache::KvCache;
        use candle_core::{Device, Tensor};
        let (layers, kv_heads, head_dim) = (3u64, 2usize, 8usize);
        let arch = Architecture {
            hidden_size: Some(0),
            intermediate_size: Some(0),
            num_attention_heads: Some(0),
            num_key_value_heads: Some(kv_heads as u64),
            head_dim: Some(head_dim as u64),
            num_layers: Some(layers),
            vocab_size: Some(0),
            ..Architecture::default()
        };
        for (prompt, steps) in [(1usize, 0usize), (16, 0), (16, 1), (5, 40), (100, 0)] {
            let mut cache = KvCache::new();
            let rows =
                |n: usize| Tensor::zeros((1, kv_heads, n, head_dim), DType::F32, &Device::Cpu);
            let first = rows(prompt).expect("prompt");
            cache.append(&first, &first).expect("append");
            for _ in 0..steps {
                let one = rows(1).expect("step");
                cache.append(&one, &one).expect("append");
            }
            let held = (cache.capacity() * kv_heads * head_dim * 2 * 4) as u64 * layers;
            let positions = (prompt + steps) as u64;
            let (_, total) = estimate(&[], 0, Some(&arch), positions);
            assert_eq!(total - BASE_BYTES, held, "{prompt} + {steps}");
        }
    }

    #[test]
    fn this_machine_reports_memory() {
        if cfg!(target_os = "linux") {
            assert!(available_memory().is_some_and(|b| b > 0));
            assert!(peak_rss().is_some_and(|b| b > 0));
        }
    }
}
