/// One flat arena of parameters and one of gradients with the same layout.
///
/// Every parameter has a stable hierarchical name identical to the PyTorch twin's
/// (`downs.0.blocks.0.conv1.weight`), a shape and an offset into both arenas. Zeroing the
/// gradients is one fill, Adam and EMA are one loop over the arena, a checkpoint is one write.
///
/// Layers register their parameters while the model is built (`register`), then read and write
/// them through `ParameterRef`s. Registration may grow the arenas; pointers obtained with
/// `values(_:)`/`grads(_:)` are valid until the next registration only.
public final class ParameterStore {
    /// Where one parameter lives.
    public struct Entry: Sendable, Equatable {
        public let name: String
        public let shape: [Int]
        public let offset: Int
        public var count: Int { shape.reduce(1, *) }
    }

    /// All parameters in registration order.
    public private(set) var entries: [Entry] = []
    /// Name -> index into `entries`.
    public private(set) var index: [String: Int] = [:]
    /// The parameter arena.
    public var values: [Float] = []
    /// The gradient arena (same layout as `values`).
    public var grads: [Float] = []

    public init() {}

    /// Total number of scalars.
    public var count: Int { values.count }

    /// Adds a parameter with the given initial values and returns its reference.
    @discardableResult
    public func register(_ name: String, shape: [Int], initial: [Float]) -> ParameterRef {
        precondition(index[name] == nil, "ParameterStore: duplicate parameter name \(name)")
        precondition(
            initial.count == shape.reduce(1, *),
            "ParameterStore: \(name) shape \(shape) needs \(shape.reduce(1, *)) values, got \(initial.count)")
        let e = Entry(name: name, shape: shape, offset: values.count)
        index[name] = entries.count
        entries.append(e)
        values.append(contentsOf: initial)
        grads.append(contentsOf: [Float](repeating: 0, count: initial.count))
        return ParameterRef(offset: e.offset, shape: shape, name: name)
    }

    /// The entry with this name, if any.
    public func entry(named name: String) -> Entry? { index[name].map { entries[$0] } }

    /// A copy of one parameter as a tensor.
    public func tensor(_ ref: ParameterRef) -> Tensor {
        Tensor(shape: ref.shape, data: Array(values[ref.offset..<ref.offset + ref.count]))
    }

    /// A copy of one gradient as a tensor.
    public func gradTensor(_ ref: ParameterRef) -> Tensor {
        Tensor(shape: ref.shape, data: Array(grads[ref.offset..<ref.offset + ref.count]))
    }

    /// Overwrites one parameter.
    public func set(_ ref: ParameterRef, _ t: Tensor) {
        precondition(t.shape == ref.shape, "ParameterStore.set: \(ref.name) is \(ref.shape), got \(t.shape)")
        values.replaceSubrange(ref.offset..<ref.offset + ref.count, with: t.data)
    }

    /// Sets every gradient to zero (one fill).
    public func zeroGrads() {
        grads.withUnsafeMutableBufferPointer { g in
            g.initialize(repeating: 0)
        }
    }
}

/// A named view into a `ParameterStore`: offset and shape.
public struct ParameterRef: Sendable, Equatable {
    public let offset: Int
    public let shape: [Int]
    public let name: String
    public var count: Int { shape.reduce(1, *) }
}
