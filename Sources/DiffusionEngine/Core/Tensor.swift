/// A dense `Float` tensor in row-major (NCHW for images) contiguous layout.
///
/// Dimension letters used throughout the engine:
/// `N` batch, `C` channels, `H` height, `W` width, `L = H*W` spatial positions, `D` features.
///
/// `Tensor` is a value: copying it is cheap (copy-on-write storage) and layers never mutate
/// a tensor they were given. Shapes appear in every precondition message so a mismatch names
/// itself, e.g. "conv2d: input (N,C,H,W)=(4,3,32,32) does not match weight C=8".
public struct Tensor: Equatable, Sendable {
    /// The extent of each dimension, outermost first.
    public var shape: [Int]
    /// `shape.reduce(1, *)` values, row-major.
    public var data: [Float]

    /// A tensor with the given shape and values.
    public init(shape: [Int], data: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative extent in shape \(shape)")
        precondition(
            shape.reduce(1, *) == data.count,
            "Tensor: shape \(shape) holds \(shape.reduce(1, *)) values, data has \(data.count)")
        self.shape = shape
        self.data = data
    }

    /// A tensor of zeros.
    public init(zeros shape: [Int]) {
        self.init(shape: shape, data: [Float](repeating: 0, count: shape.reduce(1, *)))
    }

    /// A tensor filled with one value.
    public init(repeating value: Float, shape: [Int]) {
        self.init(shape: shape, data: [Float](repeating: value, count: shape.reduce(1, *)))
    }

    /// Number of values.
    @inlinable public var count: Int { data.count }
    /// Number of dimensions.
    @inlinable public var rank: Int { shape.count }

    /// The shape as "(a,b,c)" for messages.
    public var shapeDescription: String { "(" + shape.map(String.init).joined(separator: ",") + ")" }

    /// The same values under another shape with the same count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(
            newShape.reduce(1, *) == count,
            "reshape: \(shapeDescription) has \(count) values, cannot become \(newShape)")
        return Tensor(shape: newShape, data: data)
    }

    /// Unpacks a rank-4 shape as (N, C, H, W).
    public func nchw(_ what: String) -> (n: Int, c: Int, h: Int, w: Int) {
        precondition(rank == 4, "\(what): expected (N,C,H,W), got \(shapeDescription)")
        return (shape[0], shape[1], shape[2], shape[3])
    }

    /// Element-wise sum; shapes must match.
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        precondition(a.shape == b.shape, "add: \(a.shapeDescription) vs \(b.shapeDescription)")
        var out = a
        out.data.withUnsafeMutableBufferPointer { o in
            b.data.withUnsafeBufferPointer { bp in
                for i in 0..<o.count { o[i] += bp[i] }
            }
        }
        return out
    }

    /// Element-wise difference; shapes must match.
    public static func - (a: Tensor, b: Tensor) -> Tensor {
        precondition(a.shape == b.shape, "sub: \(a.shapeDescription) vs \(b.shapeDescription)")
        var out = a
        out.data.withUnsafeMutableBufferPointer { o in
            b.data.withUnsafeBufferPointer { bp in
                for i in 0..<o.count { o[i] -= bp[i] }
            }
        }
        return out
    }

    /// Adds `other` into `self` in place (gradient accumulation).
    public mutating func addInPlace(_ other: Tensor) {
        precondition(shape == other.shape, "addInPlace: \(shapeDescription) vs \(other.shapeDescription)")
        data.withUnsafeMutableBufferPointer { o in
            other.data.withUnsafeBufferPointer { bp in
                for i in 0..<o.count { o[i] += bp[i] }
            }
        }
    }

    /// Largest absolute element-wise difference (for tests and the A/B comparison).
    public func maxAbsDifference(_ other: Tensor) -> Float {
        precondition(shape == other.shape, "maxAbsDifference: \(shapeDescription) vs \(other.shapeDescription)")
        var m: Float = 0
        for i in 0..<count { m = max(m, abs(data[i] - other.data[i])) }
        return m
    }

    /// Root-mean-square element-wise difference.
    public func rmsDifference(_ other: Tensor) -> Float {
        precondition(shape == other.shape, "rmsDifference: \(shapeDescription) vs \(other.shapeDescription)")
        guard count > 0 else { return 0 }
        var s: Double = 0
        for i in 0..<count { let d = Double(data[i] - other.data[i]); s += d * d }
        return Float((s / Double(count)).squareRoot())
    }
}
