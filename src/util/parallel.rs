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
    let wanted = items.len().div_ceil(min_chunk.max(1));
    // Asked only when more than one chunk: the standard library reads the
    // cgroup quota files to answer, which costs more than a small input.
    let threads = if wanted > 1 { wanted.min(cores()) } else { 1 };
    if threads == 1 {
        return items.iter().map(&f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    // The calling thread takes the last chunk itself: one thread fewer to start.
    let split = chunk * (threads - 1);
    let (spawned, own) = items.split_at(split.min(items.len()));
    std::thread::scope(|s| {
        let handles: Vec<_> = spawned
            .chunks(chunk)
            .map(|part| s.spawn(|| part.iter().map(&f).collect::<Vec<R>>()))
            .collect();
        let last: Vec<R> = own.iter().map(&f).collect();
        let mut out = Vec::with_capacity(items.len());
        for h in handles {
            match h.join() {
                Ok(v) => out.extend(v),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        out.extend(last);
        out
    })
}

/// Maps `f` over `items`, keeping order: on the calling thread alone while
/// items take at most `slow`, and on up to [`cores`] threads, taking the
/// items left one by one, once [`SLOW_IN_A_ROW`] items in a row took longer
/// (one slow item is most often the thread losing its core a moment, or the
/// first item's start-up costs, not a slow device). For
/// work that is fast and gains nothing from threads when its data is at hand
/// (reads from the page cache, whose system calls contend in the kernel),
/// and that threads speed up when it waits on a device or a network.
pub fn map_spreading_when_slow<T: Sync, R: Send>(
    items: &[T],
    slow: std::time::Duration,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;
    let slots: Vec<Mutex<Option<R>>> = items.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    // Takes the next item, maps it into its slot, and says how long it took;
    // `None` when no item is left.
    let step = || {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let (item, slot) = (items.get(i)?, slots.get(i)?);
        let started = std::time::Instant::now();
        let result = f(item);
        let took = started.elapsed();
        *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
        Some(took)
    };
    std::thread::scope(|scope| {
        let mut spread = false;
        let mut slow_in_a_row = 0;
        while let Some(took) = step() {
            slow_in_a_row = if took > slow { slow_in_a_row + 1 } else { 0 };
            if !spread
                && slow_in_a_row >= SLOW_IN_A_ROW
                && next.load(Ordering::Relaxed) < items.len()
            {
                spread = true;
                for _ in 1..cores() {
                    scope.spawn(|| while step().is_some() {});
                }
            }
        }
    });
    slots
        .into_iter()
        .map(|slot| {
            slot.into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .expect("every item was mapped before the threads ended")
        })
        .collect()
}

/// How many slow items in a row [`map_spreading_when_slow`] waits for before
/// it brings in more threads.
pub const SLOW_IN_A_ROW: usize = 2;

/// The threads mri runs at once, decided once: `RAYON_NUM_THREADS` when set
/// to a positive number (the variable candle's kernels obey too), else what
/// the system allows this process.
pub fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| {
        threads_from(std::env::var("RAYON_NUM_THREADS").ok().as_deref())
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
    })
}

/// A thread count from the variable's value: a positive number, else none.
fn threads_from(value: Option<&str>) -> Option<usize> {
    value?.trim().parse::<usize>().ok().filter(|&n| n > 0)
}

/// Runs `work` on every item on up to [`cores`] threads, each thread taking
/// the next item when it is done with one (items of uneven cost keep every
/// thread busy), and calls `progress(done, total)` in the units `size`
/// measures: once with 0 before the first item, then after each item.
pub fn work_queue<T: Sync>(
    items: &[T],
    size: impl Fn(&T) -> u64,
    work: impl Fn(&T) + Sync,
    progress: &(dyn Fn(u64, u64) + Sync),
) {
    use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
    let sizes: Vec<u64> = items.iter().map(size).collect();
    let total: u64 = sizes.iter().sum();
    let done = AtomicU64::new(0);
    let next = AtomicUsize::new(0);
    progress(0, total);
    let threads = cores().min(items.len()).max(1);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let (Some(item), Some(&n)) = (items.get(i), sizes.get(i)) else {
                    break;
                };
                work(item);
                progress(done.fetch_add(n, Ordering::Relaxed) + n, total);
            });
        }
    });
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

    #[test]
    fn one_slow_item_does_not_bring_in_threads_and_slow_ones_in_a_row_do() {
        use std::time::Duration;
        let caller = std::thread::current().id();
        let items: Vec<u64> = (0..40).collect();
        let threads = std::sync::Mutex::new(std::collections::HashSet::new());
        // Margins wide enough for a loaded CI machine: a fast item must lose
        // its core for over `slow` to be counted slow, and it takes two.
        let (slow, sleep) = (Duration::from_millis(25), Duration::from_millis(50));
        // Items 0 and 20 are slow, each alone: the calling thread does all.
        let out = map_spreading_when_slow(&items, slow, |&x| {
            threads.lock().unwrap().insert(std::thread::current().id());
            if x % 20 == 0 {
                std::thread::sleep(sleep);
            }
            x + 1
        });
        assert_eq!(out, (1..41).collect::<Vec<u64>>());
        assert_eq!(
            threads.into_inner().unwrap(),
            std::collections::HashSet::from([caller])
        );
        if cores() > 1 {
            // Items 10 and on are slow, in a row: the rest is spread.
            let threads = std::sync::Mutex::new(std::collections::HashSet::new());
            let out = map_spreading_when_slow(&items, slow, |&x| {
                threads.lock().unwrap().insert(std::thread::current().id());
                if x >= 10 {
                    std::thread::sleep(sleep);
                }
                x + 1
            });
            assert_eq!(out, (1..41).collect::<Vec<u64>>());
            assert!(threads.into_inner().unwrap().len() > 1);
        }
    }

    #[test]
    fn spreading_map_keeps_order_fast_or_slow() {
        use std::time::Duration;
        let caller = std::thread::current().id();
        for n in [0, 1, 7, 100] {
            let items: Vec<u64> = (0..n).collect();
            // Fast items: all on the calling thread.
            let out = map_spreading_when_slow(&items, Duration::from_secs(60), |x| {
                assert_eq!(std::thread::current().id(), caller);
                x * 2
            });
            assert_eq!(out, items.iter().map(|x| x * 2).collect::<Vec<_>>());
            // Slow items: spread, and still in order.
            let threads = std::sync::Mutex::new(std::collections::HashSet::new());
            let out = map_spreading_when_slow(&items, Duration::ZERO, |x| {
                threads.lock().unwrap().insert(std::thread::current().id());
                std::thread::sleep(Duration::from_micros(200));
                x * 2
            });
            assert_eq!(out, items.iter().map(|x| x * 2).collect::<Vec<_>>());
            if n > 10 && cores() > 1 {
                assert!(
                    threads.lock().unwrap().len() > 1,
                    "slow items spread over threads"
                );
            }
        }
    }

    #[test]
    fn thread_count_comes_from_a_positive_number_only() {
        assert_eq!(threads_from(Some("3")), Some(3));
        assert_eq!(threads_from(Some(" 1 ")), Some(1));
        assert_eq!(threads_from(Some("0")), None);
        assert_eq!(threads_from(Some("many")), None);
        assert_eq!(threads_from(None), None);
    }

    #[test]
    fn work_queue_does_every_item_once_and_reports_progress_to_the_total() {
        use std::sync::atomic::{AtomicU64, Ordering};
        use std::sync::Mutex;
        let items: Vec<u64> = (1..=200).collect();
        let sum = AtomicU64::new(0);
        let seen = Mutex::new(Vec::new());
        work_queue(
            &items,
            |x| *x,
            |x| {
                sum.fetch_add(*x, Ordering::Relaxed);
            },
            &|done, total| seen.lock().unwrap().push((done, total)),
        );
        assert_eq!(sum.into_inner(), 20_100);
        let seen = seen.into_inner().unwrap();
        assert_eq!(seen.len(), 201, "once before, then once per item");
        assert_eq!(seen[0], (0, 20_100));
        assert!(seen.iter().all(|&(_, t)| t == 20_100));
        assert_eq!(seen.iter().map(|&(d, _)| d).max(), Some(20_100));

        let none: Vec<u64> = Vec::new();
        work_queue(&none, |x| *x, |_| panic!("no item"), &|d, t| {
            assert_eq!((d, t), (0, 0))
        });
    }
}
