//! A small ordered parallel map over scoped threads: enough for reading a few
//! hundred headers, without a thread pool to start and wind down.

/// Maps `f` over `items` on up to `available_parallelism` threads, keeping
/// order. Work is split into contiguous chunks of at least `min_chunk` items,
/// so small inputs run on the calling thread alone.
pub fn par_map<T: Sync, R: Send>(
    items: &[T],
    min_chunk: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = cores.min(items.len().div_ceil(min_chunk.max(1))).max(1);
    if threads == 1 {
        return items.iter().map(&f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| s.spawn(|| part.iter().map(&f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| match h.join() {
                Ok(v) => v,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_is_kept_for_any_size() {
        for n in [0, 1, 7, 100, 1001] {
            let items: Vec<u64> = (0..n).collect();
            let out = par_map(&items, 4, |x| x * 2);
            assert_eq!(out, items.iter().map(|x| x * 2).collect::<Vec<_>>());
        }
    }
}
