/// Unaligned vector loads and stores for the Winograd transforms: their rows start at any float.
extension WinogradTransforms {
    typealias V2 = SIMD2<Float>
    typealias V4 = SIMD4<Float>
    typealias V8 = SIMD8<Float>
    typealias V16 = SIMD16<Float>

    @inline(__always) static func load2(_ p: UnsafePointer<Float>) -> V2 { UnsafeRawPointer(p).loadUnaligned(as: V2.self) }
    @inline(__always) static func load4(_ p: UnsafePointer<Float>) -> V4 { UnsafeRawPointer(p).loadUnaligned(as: V4.self) }
    @inline(__always) static func load8(_ p: UnsafePointer<Float>) -> V8 { UnsafeRawPointer(p).loadUnaligned(as: V8.self) }
    @inline(__always) static func load16(_ p: UnsafePointer<Float>) -> V16 { UnsafeRawPointer(p).loadUnaligned(as: V16.self) }
    @inline(__always) static func store(_ v: V2, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: V2.self) }
    @inline(__always) static func store(_ v: V4, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: V4.self) }
    @inline(__always) static func store(_ v: V8, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: V8.self) }
    @inline(__always) static func store(_ v: V16, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: V16.self) }
    /// Stores the six vectors of a transformed tile line `stride` floats apart from `p` (rows of
    /// scratch, or V / dM planes).
    @inline(__always)
    static func store<T: SIMD>(_ r: (T, T, T, T, T, T), _ p: UnsafeMutablePointer<Float>, stride: Int) where T.Scalar == Float {
        UnsafeMutableRawPointer(p).storeBytes(of: r.0, as: T.self)
        UnsafeMutableRawPointer(p + stride).storeBytes(of: r.1, as: T.self)
        UnsafeMutableRawPointer(p + 2 * stride).storeBytes(of: r.2, as: T.self)
        UnsafeMutableRawPointer(p + 3 * stride).storeBytes(of: r.3, as: T.self)
        UnsafeMutableRawPointer(p + 4 * stride).storeBytes(of: r.4, as: T.self)
        UnsafeMutableRawPointer(p + 5 * stride).storeBytes(of: r.5, as: T.self)
    }
    /// (a0, b0, a1, b1, a2, b2, a3, b3)
    @inline(__always) static func interleave(_ a: V4, _ b: V4) -> V8 { V8(a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3]) }
}
