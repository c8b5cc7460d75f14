/// Elementwise math for the layers that the compiler can vectorise: `exp`, the sigmoid, SiLU.
///
/// libm's `expf` is a call per element (~10 ns) that keeps a loop scalar; SiLU runs over every
/// activation of a UNet and softmax over every attention score, ~10⁸ calls per training step of
/// the course model. Here `exp` is straight-line arithmetic the loop vectoriser turns into SIMD:
/// `e^x = 2^n · e^r`, `n = round(x / ln 2)`, `r = x - n ln 2` (ln 2 split in a high and a low part
/// so `r` is exact), and a degree-6 polynomial for `e^r` on |r| <= ln2/2 (the Cephes `expf`
/// coefficients). Relative error is below 2e-7 (~2 ulp) over the clamped range [-87.3, 88];
/// outside it the result saturates at ~1.2e-38 / ~1.7e38 instead of 0 / inf, which is exact
/// enough for softmax (shifted to x <= 0) and for the sigmoid (1 + e^-x).
///
/// Written as scalar loops on purpose: SIMD types are generic calls per lane in debug builds
/// (the tests' configuration), plain loops are fast in both.
enum FastMath {
    /// e^x.
    @inline(__always)
    static func exp(_ x: Float) -> Float {
        let xc = min(max(x, -87.336_54), 88.0)  // n stays in -126...127
        // n = round(x log2 e) by the 1.5·2^23 trick: the addition rounds to an integer, which
        // then sits in the low mantissa bits of `shifted`
        let magic: Float = 12_582_912
        let shifted = xc * 1.442_695_04 + magic
        let n = shifted - magic
        var r = xc - n * 0.693_359_375  // ln 2, high part (exact in float)
        r = r - n * -2.121_944_4e-4  // ln 2, low part
        var p: Float = 1.987_569_15e-4
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_59e-2
        p = p * r + 0.166_666_655
        p = p * r + 0.500_000_01
        p = p * (r * r) + r + 1
        // 2^n: n + 127 in the exponent field
        let ni = Int32(bitPattern: shifted.bitPattern) &- Int32(bitPattern: magic.bitPattern)
        return p * Float(bitPattern: UInt32(bitPattern: (ni &+ 127) &<< 23))
    }

    /// σ(x) = 1 / (1 + e^-x).
    @inline(__always)
    static func sigmoid(_ x: Float) -> Float { 1 / (1 + exp(-x)) }

    /// y = silu(x) = x σ(x) over `count` floats (y may be x).
    static func silu(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            let v = x[i]
            y[i] = v * sigmoid(v)
        }
    }

    /// g *= silu'(x) = σ(x) (1 + x (1 - σ(x))) over `count` floats.
    static func siluBackward(_ x: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            let v = x[i], s = sigmoid(v)
            g[i] *= s * (1 + v * (1 - s))
        }
    }

    /// p[i] = e^(p[i] - shift) in place; returns the sum of the results (for softmax).
    static func expShifted(_ p: UnsafeMutablePointer<Float>, count: Int, shift: Float) -> Float {
        for i in 0..<count { p[i] = exp(p[i] - shift) }
        return sum(p, count: count)
    }

    /// Σ p[i], in 8 interleaved partial sums (which the vectoriser keeps in one register).
    static func sum(_ p: UnsafePointer<Float>, count: Int) -> Float {
        var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
        var s4: Float = 0, s5: Float = 0, s6: Float = 0, s7: Float = 0
        var i = 0
        while i + 8 <= count {
            s0 += p[i]; s1 += p[i + 1]; s2 += p[i + 2]; s3 += p[i + 3]
            s4 += p[i + 4]; s5 += p[i + 5]; s6 += p[i + 6]; s7 += p[i + 7]
            i += 8
        }
        var s = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
        while i < count { s += p[i]; i += 1 }
        return s
    }

    /// Σ (p[i] - m)², in 8 interleaved partial sums.
    static func squaredDeviations(_ p: UnsafePointer<Float>, count: Int, from m: Float) -> Float {
        var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
        var s4: Float = 0, s5: Float = 0, s6: Float = 0, s7: Float = 0
        var i = 0
        while i + 8 <= count {
            let d0 = p[i] - m, d1 = p[i + 1] - m, d2 = p[i + 2] - m, d3 = p[i + 3] - m
            let d4 = p[i + 4] - m, d5 = p[i + 5] - m, d6 = p[i + 6] - m, d7 = p[i + 7] - m
            s0 += d0 * d0; s1 += d1 * d1; s2 += d2 * d2; s3 += d3 * d3
            s4 += d4 * d4; s5 += d5 * d5; s6 += d6 * d6; s7 += d7 * d7
            i += 8
        }
        var s = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
        while i < count { let d = p[i] - m; s += d * d; i += 1 }
        return s
    }

    /// Σ a[i] b[i], in 8 interleaved partial sums.
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
        var s4: Float = 0, s5: Float = 0, s6: Float = 0, s7: Float = 0
        var i = 0
        while i + 8 <= count {
            s0 += a[i] * b[i]; s1 += a[i + 1] * b[i + 1]; s2 += a[i + 2] * b[i + 2]; s3 += a[i + 3] * b[i + 3]
            s4 += a[i + 4] * b[i + 4]; s5 += a[i + 5] * b[i + 5]; s6 += a[i + 6] * b[i + 6]; s7 += a[i + 7] * b[i + 7]
            i += 8
        }
        var s = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
        while i < count { s += a[i] * b[i]; i += 1 }
        return s
    }

    /// max_i p[i] (count > 0).
    static func maximum(_ p: UnsafePointer<Float>, count: Int) -> Float {
        var m = -Float.infinity
        for i in 0..<count { m = p[i] > m ? p[i] : m }
        return m
    }
}
