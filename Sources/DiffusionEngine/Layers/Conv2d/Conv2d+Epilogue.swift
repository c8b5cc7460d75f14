extension Conv2d {
    /// What the forward adds to W · cols on its way out: the conv bias (O), optionally a bias per
    /// image and channel (N, O) and a residual (N, O, Ho, Wo).
    struct Epilogue {
        let bias: UnsafePointer<Float>
        let channelBias: [Float]?
        let residual: [Float]?

        func withPointers<R>(_ body: (Pointers) -> R) -> R {
            withOptionalPointer(channelBias) { cb in
                withOptionalPointer(residual) { r in body(Pointers(bias: bias, channelBias: cb, residual: r)) }
            }
        }

        struct Pointers {
            let bias: UnsafePointer<Float>
            let channelBias: UnsafePointer<Float>?
            let residual: UnsafePointer<Float>?

            /// Writes the epilogue alone into `columns` of channels `channels` of one image's output
            /// (O, L), ready for a GEMM with beta 1.
            func fill(
                _ yImage: UnsafeMutablePointer<Float>, image: Int, channels: Range<Int>, columns: Range<Int>, l: Int, o: Int
            ) {
                let c0 = columns.lowerBound, cnt = columns.count
                for oc in channels {
                    var b = bias[oc]
                    if let channelBias { b += channelBias[image * o + oc] }
                    let row = yImage + oc * l + c0
                    if let residual {
                        let res = residual + (image * o + oc) * l + c0
                        for i in 0..<cnt { row[i] = res[i] + b }
                    } else {
                        row.update(repeating: b, count: cnt)
                    }
                }
            }

            /// y (O, L) of one image = tmp rows (O, L at stride `ld`) + the epilogue.
            func scatter(from tmp: UnsafePointer<Float>, ld: Int, into yImage: UnsafeMutablePointer<Float>, image: Int, l: Int, o: Int) {
                for oc in 0..<o {
                    var b = bias[oc]
                    if let channelBias { b += channelBias[image * o + oc] }
                    let src = tmp + oc * ld, row = yImage + oc * l
                    if let residual {
                        let res = residual + (image * o + oc) * l
                        for i in 0..<l { row[i] = (src[i] + b) + res[i] }
                    } else {
                        for i in 0..<l { row[i] = src[i] + b }
                    }
                }
            }
        }
    }
}

/// Calls `body` with the array's base address, or nil for a nil array.
@inline(__always)
func withOptionalPointer<R>(_ array: [Float]?, _ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let array else { return body(nil) }
    return array.withUnsafeBufferPointer { body($0.baseAddress) }
}
