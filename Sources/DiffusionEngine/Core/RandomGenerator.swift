/// The one seedable random generator of the engine: all noise, data order and initialisation.
///
/// Counter-based: the n-th 64-bit output is `mix(seed, n)` (SplitMix64's finaliser over the
/// Weyl sequence), so the whole state is two integers, `(seed, counter)`, which checkpoints
/// store and restore exactly. Two chains "on the same noise" use generators with the same seed.
/// `derived(stream:)` gives an independent generator for a named purpose (e.g. the noise of
/// training step k) without consuming this one.
public struct RandomGenerator: Sendable, Equatable, Codable {
    /// The key; never changes.
    public let seed: UInt64
    /// How many 64-bit outputs have been drawn.
    public var counter: UInt64
    /// A second normal from the last Box-Muller pair, if one is waiting.
    public var spareNormal: Float?

    public init(seed: UInt64, counter: UInt64 = 0) {
        self.seed = seed
        self.counter = counter
        self.spareNormal = nil
    }

    @inline(__always)
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The next 64 random bits.
    @inline(__always)
    public mutating func next() -> UInt64 {
        let out = Self.mix(seed &+ 0x9E37_79B9_7F4A_7C15 &* (counter &+ 1))
        counter &+= 1
        return out
    }

    /// A uniform float in [0, 1) with 24 random bits.
    @inline(__always)
    public mutating func uniform() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// A uniform double in (0, 1], never 0 (safe for log).
    @inline(__always)
    mutating func uniformOpen() -> Double {
        (Double(next() >> 11) + 1.0) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// A standard normal (Box-Muller; pairs are used in order).
    public mutating func normal() -> Float {
        if let s = spareNormal { spareNormal = nil; return s }
        let u1 = uniformOpen(), u2 = uniformOpen()
        let r = (-2.0 * log(u1)).squareRoot()
        let theta = 2.0 * Double.pi * u2
        spareNormal = Float(r * sin(theta))
        return Float(r * cos(theta))
    }

    /// A uniform integer in `0..<bound`.
    public mutating func int(below bound: Int) -> Int {
        precondition(bound > 0, "RandomGenerator.int(below:): bound \(bound) must be positive")
        // Lemire's multiply-high; the bias for bounds far below 2^64 is negligible.
        return Int(next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// A tensor of independent standard normals.
    public mutating func normalTensor(_ shape: [Int]) -> Tensor {
        let n = shape.reduce(1, *)
        var d = [Float](repeating: 0, count: n)
        for i in 0..<n { d[i] = normal() }
        return Tensor(shape: shape, data: d)
    }

    /// A tensor of uniforms in [lo, hi).
    public mutating func uniformTensor(_ shape: [Int], lo: Float = 0, hi: Float = 1) -> Tensor {
        let n = shape.reduce(1, *)
        var d = [Float](repeating: 0, count: n)
        for i in 0..<n { d[i] = lo + (hi - lo) * uniform() }
        return Tensor(shape: shape, data: d)
    }

    /// A Fisher-Yates permutation of `0..<n`.
    public mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        if n > 1 {
            for i in stride(from: n - 1, to: 0, by: -1) { p.swapAt(i, int(below: i + 1)) }
        }
        return p
    }

    /// An independent generator for `stream` (e.g. a step number), not consuming `self`.
    public func derived(stream: UInt64) -> RandomGenerator {
        RandomGenerator(seed: Self.mix(seed ^ Self.mix(stream &+ 0x632B_E59B_D9B4_E019)))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
