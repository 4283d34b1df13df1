//! One attention layer's key/value cache on the CPU: keys and values held
//! in buffers `[b, kv_heads, capacity, head_dim]` whose capacity is a power
//! of two (at least [`FIRST_CAPACITY`]) and doubles when a pass needs more,
//! each pass's new positions written in place behind the filled ones
//! (`Tensor::slice_set`), so that a decoding step copies its own row only,
//! not the whole past as a concatenation would. Attention reads views of
//! the filled positions (strided: `narrow` over the capacity), which
//! candle's matmul takes as they are.

use candle_core::Tensor;

/// The fewest positions a cache makes room for.
pub(crate) const FIRST_CAPACITY: usize = 16;

/// The capacity a cache holds once `positions` positions are in it,
/// whatever the passes that brought them: the memory preflight's count.
pub(crate) fn capacity_for(positions: u64) -> u64 {
    positions
        .max(FIRST_CAPACITY as u64)
        .checked_next_power_of_two()
        .unwrap_or(u64::MAX)
}

/// One layer's keys and values so far.
#[derive(Default)]
pub(crate) struct KvCache {
    /// Keys and values, `[b, kv_heads, capacity, head_dim]`; the first
    /// `len` positions filled.
    buffers: Option<(Tensor, Tensor)>,
    len: usize,
}

impl KvCache {
    /// An empty cache (nothing allocated before the first pass).
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Positions held.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Positions there is room for without growing.
    pub(crate) fn capacity(&self) -> usize {
        self.buffers
            .as_ref()
            .and_then(|(k, _)| k.dim(2).ok())
            .unwrap_or(0)
    }

    /// Appends a pass's keys and values (`[b, kv_heads, seq, head_dim]`)
    /// and returns views of every position held, `[b, kv_heads, len,
    /// head_dim]`. The views share the buffers: drop them before the next
    /// append.
    pub(crate) fn append(
        &mut self,
        k: &Tensor,
        v: &Tensor,
    ) -> candle_core::Result<(Tensor, Tensor)> {
        let seq = k.dim(2)?;
        let len = self.len.saturating_add(seq);
        if len > self.capacity() {
            self.grow(k, capacity_for(len as u64) as usize)?;
        }
        let Some((bk, bv)) = self.buffers.as_ref() else {
            candle_core::bail!("the KV cache has no buffers after growing");
        };
        bk.slice_set(&k.contiguous()?, 2, self.len)?;
        bv.slice_set(&v.contiguous()?, 2, self.len)?;
        self.len = len;
        Ok((bk.narrow(2, 0, len)?, bv.narrow(2, 0, len)?))
    }

    /// New buffers of `capacity` positions shaped like `like` otherwise,
    /// the held positions copied in.
    fn grow(&mut self, like: &Tensor, capacity: usize) -> candle_core::Result<()> {
        let (b, heads, _, head_dim) = like.dims4()?;
        let fresh = |old: Option<&Tensor>| -> candle_core::Result<Tensor> {
            let t = Tensor::zeros((b, heads, capacity, head_dim), like.dtype(), like.device())?;
            if let Some(old) = old {
                t.slice_set(old, 2, 0)?;
            }
            Ok(t)
        };
        let old = self.buffers.take();
        let k = fresh(old.as_ref().map(|o| &o.0))?;
        let v = fresh(old.as_ref().map(|o| &o.1))?;
        self.buffers = Some((k, v));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{Device, IndexOp};

    /// `[1, 2, seq, 3]` with values numbering (pass, head, position, dim).
    fn pass(tag: f32, seq: usize) -> Tensor {
        let v: Vec<f32> = (0..2 * seq * 3).map(|i| tag * 1000. + i as f32).collect();
        Tensor::from_vec(v, (1, 2, seq, 3), &Device::Cpu).expect("tensor")
    }

    /// Passes of 5, then 1 at a time past two doublings: every view holds
    /// all the positions appended so far, in order, and the capacity is
    /// the power of two `capacity_for` says.
    #[test]
    fn appends_keep_every_position_across_growth() {
        let mut cache = KvCache::new();
        let mut passes = vec![pass(1., 5)];
        let (k, v) = cache
            .append(&passes[0], &(&passes[0] * 2.).expect("v"))
            .expect("append");
        assert_eq!(k.dims(), &[1, 2, 5, 3]);
        assert_eq!(cache.capacity(), 16);
        let same = |a: &Tensor, b: &Tensor| {
            let a: Vec<f32> = a.flatten_all().and_then(|t| t.to_vec1()).expect("a");
            let b: Vec<f32> = b.flatten_all().and_then(|t| t.to_vec1()).expect("b");
            assert_eq!(a, b);
        };
        same(&k, &passes[0]);
        same(&v, &(&passes[0] * 2.).expect("v"));
        for step in 0..30 {
            let p = pass(2. + step as f32, 1);
            let (k, v) = cache.append(&p, &(&p * 2.).expect("v")).expect("append");
            passes.push(p);
            let all = Tensor::cat(&passes, 2).expect("cat");
            same(&k, &all);
            same(&v, &(&all * 2.).expect("v"));
            assert_eq!(cache.len(), 6 + step);
            assert_eq!(cache.capacity() as u64, capacity_for(cache.len() as u64));
        }
        assert_eq!(cache.capacity(), 64);
        // A view's rows are the buffer's, not copies.
        let (k, _) = cache.append(&pass(99., 2), &pass(99., 2)).expect("append");
        same(&k.i((.., .., 35.., ..)).expect("tail"), &pass(99., 2));
    }

    /// The preflight's count: powers of two from 16.
    #[test]
    fn capacity_is_the_next_power_of_two_from_sixteen() {
        assert_eq!(capacity_for(0), 16);
        assert_eq!(capacity_for(16), 16);
        assert_eq!(capacity_for(17), 32);
        assert_eq!(capacity_for(1000), 1024);
        assert_eq!(capacity_for(u64::MAX), u64::MAX);
    }
}
