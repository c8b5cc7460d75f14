/// Ascending sort of Float arrays by an LSD radix sort on the IEEE bits (3 passes of 11 bits):
/// several times faster than the standard library's comparison sort on the 10⁵-10⁶ projections
/// per direction of SWD's reference set. Same result as `sorted()` for finite values and
/// infinities (-0 sorts before +0, which compare equal anyway); NaNs go to the ends.
enum FloatSort {
    /// Below this count the comparison sort is as fast.
    static let radixFrom = 2048

    static func sort(_ values: inout [Float]) {
        let n = values.count
        if n < radixFrom { values.sort(); return }
        var scratch = [UInt32](repeating: 0, count: n)
        values.withUnsafeMutableBufferPointer { v in
            v.withMemoryRebound(to: UInt32.self) { keys in
                scratch.withUnsafeMutableBufferPointer { tmp in
                    // Order-preserving keys: flip all bits of negatives, the sign bit of the rest.
                    var counts = [Int](repeating: 0, count: 3 * 2048)
                    for i in 0..<n {
                        let b = keys[i]
                        let k = b & 0x8000_0000 != 0 ? ~b : b | 0x8000_0000
                        keys[i] = k
                        counts[Int(k & 0x7FF)] += 1
                        counts[2048 + Int((k >> 11) & 0x7FF)] += 1
                        counts[4096 + Int(k >> 22)] += 1
                    }
                    var src = keys, dst = tmp
                    for pass in 0..<3 {
                        let shift = UInt32(11 * pass), base = 2048 * pass
                        var offset = 0
                        for b in 0..<2048 { let c = counts[base + b]; counts[base + b] = offset; offset += c }
                        for i in 0..<n {
                            let k = src[i], b = base + Int((k >> shift) & 0x7FF)
                            dst[counts[b]] = k
                            counts[b] += 1
                        }
                        swap(&src, &dst)
                    }
                    // Three passes: the sorted keys are in `tmp` (src after the last swap).
                    for i in 0..<n {
                        let k = src[i]
                        keys[i] = k & 0x8000_0000 != 0 ? k & 0x7FFF_FFFF : ~k
                    }
                }
            }
        }
    }
}
