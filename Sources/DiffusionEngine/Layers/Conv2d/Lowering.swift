/// Row copies between an image's (rows, L) block and a chunk matrix (rows, nb*L).
enum Lowering {
    /// dst rows (stride `ld`) = src (rows, count); adds each row's sum into `sums[row]`.
    static func gather(
        _ src: UnsafePointer<Float>, rows: Int, count: Int, into dst: UnsafeMutablePointer<Float>, ld: Int,
        sums: UnsafeMutablePointer<Float>
    ) {
        for r in 0..<rows {
            let s = src + r * count, d = dst + r * ld
            var acc: Float = 0
            for i in 0..<count { let v = s[i]; d[i] = v; acc += v }
            sums[r] += acc
        }
    }

    /// dst (rows, count) = src rows (stride `ld`).
    static func scatter(_ src: UnsafePointer<Float>, rows: Int, count: Int, ld: Int, into dst: UnsafeMutablePointer<Float>) {
        for r in 0..<rows { (dst + r * count).update(from: src + r * ld, count: count) }
    }

    /// sums[r] += Σ_i src[r*ld + i] for r in 0..<rows.
    static func sumRows(_ src: UnsafePointer<Float>, rows: Int, count: Int, ld: Int, into sums: UnsafeMutablePointer<Float>) {
        // 8 interleaved partial sums: a single running sum is a serial chain of dependent adds
        // (measured: 20% of the Winograd weight-gradient pass), the partials vectorise
        for r in 0..<rows { sums[r] += FastMath.sum(src + r * ld, count: count) }
    }
}
