//! Four f32 lanes as one SIMD register (SSE2 on x86-64, simd128 on wasm32, plain arrays
//! elsewhere), for the dot products of Silero and the resamplers. Every operation is lane-wise
//! IEEE single precision (a multiply, then an add: never fused), so results are the same as the
//! scalar code's on every target.

// SSE2 is part of the x86-64 baseline: every x86-64 CPU has these instructions.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod imp {
    use std::arch::x86_64::{
        __m128, _mm_add_ps, _mm_cvtss_f32, _mm_loadu_ps, _mm_mul_ps, _mm_setzero_ps, _mm_shuffle_ps,
    };

    /// Four f32 lanes.
    #[derive(Clone, Copy)]
    pub struct F4(__m128);

    impl F4 {
        #[inline(always)]
        pub fn zero() -> Self {
            Self(unsafe { _mm_setzero_ps() })
        }
        #[inline(always)]
        pub fn load(x: &[f32; 4]) -> Self {
            // One unaligned load of four floats a reference guarantees are there.
            Self(unsafe { _mm_loadu_ps(x.as_ptr()) })
        }
        #[inline(always)]
        pub fn add(self, o: Self) -> Self {
            Self(unsafe { _mm_add_ps(self.0, o.0) })
        }
        #[inline(always)]
        pub fn mul(self, o: Self) -> Self {
            Self(unsafe { _mm_mul_ps(self.0, o.0) })
        }
        #[inline(always)]
        pub fn to_array(self) -> [f32; 4] {
            let v = self.0;
            unsafe {
                [
                    _mm_cvtss_f32(v),
                    _mm_cvtss_f32(_mm_shuffle_ps::<0b01_01_01_01>(v, v)),
                    _mm_cvtss_f32(_mm_shuffle_ps::<0b10_10_10_10>(v, v)),
                    _mm_cvtss_f32(_mm_shuffle_ps::<0b11_11_11_11>(v, v)),
                ]
            }
        }
    }
}

// Only compiled where the module itself is built for SIMD (`+simd128`).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod imp {
    use std::arch::wasm32::{
        f32x4_add, f32x4_extract_lane, f32x4_mul, f32x4_splat, v128, v128_load,
    };

    /// Four f32 lanes.
    #[derive(Clone, Copy)]
    pub struct F4(v128);

    impl F4 {
        #[inline(always)]
        pub fn zero() -> Self {
            Self(f32x4_splat(0.0))
        }
        #[inline(always)]
        pub fn load(x: &[f32; 4]) -> Self {
            // One (unaligned) load of the 16 bytes a reference guarantees are there: built from
            // lanes instead, LLVM may assemble overlapping windows lane by lane.
            #[allow(unsafe_code)]
            Self(unsafe { v128_load(x.as_ptr().cast()) })
        }
        #[inline(always)]
        pub fn add(self, o: Self) -> Self {
            Self(f32x4_add(self.0, o.0))
        }
        #[inline(always)]
        pub fn mul(self, o: Self) -> Self {
            Self(f32x4_mul(self.0, o.0))
        }
        #[inline(always)]
        pub fn to_array(self) -> [f32; 4] {
            let v = self.0;
            [
                f32x4_extract_lane::<0>(v),
                f32x4_extract_lane::<1>(v),
                f32x4_extract_lane::<2>(v),
                f32x4_extract_lane::<3>(v),
            ]
        }
    }
}

#[cfg(not(any(
    target_arch = "x86_64",
    all(target_arch = "wasm32", target_feature = "simd128")
)))]
mod imp {
    /// Four f32 lanes.
    #[derive(Clone, Copy)]
    pub struct F4([f32; 4]);

    impl F4 {
        #[inline(always)]
        pub fn zero() -> Self {
            Self([0.0; 4])
        }
        #[inline(always)]
        pub fn load(x: &[f32; 4]) -> Self {
            Self(*x)
        }
        #[inline(always)]
        pub fn add(self, o: Self) -> Self {
            Self(std::array::from_fn(|l| self.0[l] + o.0[l]))
        }
        #[inline(always)]
        pub fn mul(self, o: Self) -> Self {
            Self(std::array::from_fn(|l| self.0[l] * o.0[l]))
        }
        #[inline(always)]
        pub fn to_array(self) -> [f32; 4] {
            self.0
        }
    }
}

pub use imp::F4;

/// The first four and the next four of `s[i..i + 8]`.
#[inline(always)]
fn load8(s: &[f32], i: usize) -> (F4, F4) {
    let x: &[f32; 8] = s[i..i + 8]
        .try_into()
        .unwrap_or_else(|_| unreachable!("8 elements"));
    let (lo, hi) = x.split_at(4);
    (
        F4::load(lo.try_into().unwrap_or_else(|_| unreachable!())),
        F4::load(hi.try_into().unwrap_or_else(|_| unreachable!())),
    )
}

/// `N` independent dot products `a[r]·b[r]` over `len` elements, each accumulated in 8 lanes:
/// lane `l` sums the products of elements `l, l + 8, …` in order (`len / 8 * 8` of them).
/// Returns each one's 8 lanes. Interleaving gives the CPU `N` independent chains of additions
/// (each bound by an addition's latency) with the same results as one at a time.
#[inline(always)]
pub fn lanes8<const N: usize>(a: [&[f32]; N], b: [&[f32]; N], len: usize) -> [[f32; 8]; N] {
    let n8 = len / 8 * 8;
    let a = a.map(|s| &s[..n8]);
    let b = b.map(|s| &s[..n8]);
    let mut acc = [(F4::zero(), F4::zero()); N];
    let mut i = 0;
    while i < n8 {
        for r in 0..N {
            let (xa, xb) = load8(a[r], i);
            let (ya, yb) = load8(b[r], i);
            acc[r].0 = acc[r].0.add(xa.mul(ya));
            acc[r].1 = acc[r].1.add(xb.mul(yb));
        }
        i += 8;
    }
    let mut out = [[0.0f32; 8]; N];
    for (o, (lo, hi)) in out.iter_mut().zip(acc) {
        o[..4].copy_from_slice(&lo.to_array());
        o[4..].copy_from_slice(&hi.to_array());
    }
    out
}

/// Test data for the dot products: a reproducible xorshift spread of signs and of magnitudes
/// over `decades` powers of ten from `10^low`, where any change of summation order would show.
#[cfg(test)]
pub(crate) fn spread_values(mut seed: u32, decades: u32, low: i32) -> impl FnMut() -> f32 {
    move || {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        (seed as f32 / u32::MAX as f32 - 0.5) * 10f32.powi((seed % decades) as i32 + low)
    }
}
