import DiffusionEngine
import Foundation
import Testing

/// Finite-difference gradient checking of a layer (or a whole model) against its backward.
///
/// The scalar loss is `L = Σ out ⊙ R` for a fixed random R, so `dL/dout = R` is what the backward
/// receives. The analytic gradients (backward's input gradients and the store's parameter
/// gradients) are compared with central differences `(L(θ+ε) - L(θ-ε)) / 2ε`, evaluated with
/// `training: false` forwards (so the check also covers the inference path). The loss is summed
/// in Double; the layers are Float, so ε is ~1e-2 .. 1e-3 and the tolerances are percent-level.
///
/// Error measure per checked tensor: max |numeric - analytic| over the sampled entries divided by
/// the largest |analytic| among them (the same "max|Δ| / max|ref|" the fixture tests use), so an
/// outright wrong gradient fails while Float rounding does not.
final class GradientCheck {
    /// The inputs the forward reads; entries are perturbed in place during the check.
    var inputs: [Tensor]
    let store: ParameterStore?
    let forward: (_ inputs: [Tensor], _ training: Bool) -> Tensor
    let backward: (_ dOut: Tensor) -> [Tensor]
    /// Finite-difference step.
    var eps: Float = 1e-2
    /// Largest accepted max|Δ| / max|analytic| per tensor.
    var tolerance: Float = 3e-3
    /// Random entries checked per tensor (all of them when the tensor is at most twice this size),
    /// plus always the entry with the largest analytic gradient.
    var samples = 6
    /// Entries of the analytic gradient smaller than this are compared absolutely (scale 1e-3).
    var floor: Float = 1e-3

    init(
        inputs: [Tensor], store: ParameterStore?,
        forward: @escaping ([Tensor], Bool) -> Tensor, backward: @escaping (Tensor) -> [Tensor]
    ) {
        self.inputs = inputs
        self.store = store
        self.forward = forward
        self.backward = backward
    }

    /// Runs the check and records an expectation per tensor.
    /// - Parameters:
    ///   - checkInputs: indices of `inputs` whose gradient the backward returns (in that order).
    ///   - parameters: which parameter names to check (nil = every parameter in the store).
    /// - Returns: the relative error per checked tensor ("input.0", parameter names).
    @discardableResult
    func run(
        seed: UInt64 = 1, checkInputs: [Int]? = nil, parameters: [String]? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> [String: Float] {
        var rng = RandomGenerator(seed: seed)
        let out = forward(inputs, true)
        let r = rng.normalTensor(out.shape)  // (shape of out), the loss weights
        let evalOut = forward(inputs, false)
        #expect(
            evalOut.maxAbsDifference(out) == 0, "training and inference forwards differ",
            sourceLocation: sourceLocation)
        store?.zeroGrads()
        let dIns = backward(r)
        let inputIndices = checkInputs ?? Array(inputs.indices)
        #expect(dIns.count == inputIndices.count, "backward returned \(dIns.count) gradients", sourceLocation: sourceLocation)

        func loss() -> Double {
            let y = forward(inputs, false)
            var s = 0.0
            for i in 0..<y.count { s += Double(y.data[i]) * Double(r.data[i]) }
            return s
        }

        var errors: [String: Float] = [:]
        for (slot, k) in inputIndices.enumerated() where slot < dIns.count {
            let analytic = dIns[slot].data
            #expect(dIns[slot].shape == inputs[k].shape, "input \(k) gradient shape", sourceLocation: sourceLocation)
            errors["input.\(k)"] = compare(
                name: "input.\(k)", analytic: analytic, rng: &rng, loss: loss,
                get: { self.inputs[k].data[$0] }, set: { self.inputs[k].data[$0] = $1 },
                sourceLocation: sourceLocation)
        }
        if let store {
            let grads = store.grads
            for e in store.entries where parameters?.contains(e.name) ?? true {
                let analytic = Array(grads[e.offset..<e.offset + e.count])
                errors[e.name] = compare(
                    name: e.name, analytic: analytic, rng: &rng, loss: loss,
                    get: { store.values[e.offset + $0] }, set: { store.values[e.offset + $0] = $1 },
                    sourceLocation: sourceLocation)
            }
        }
        return errors
    }

    /// Central differences at sampled entries of one tensor vs its analytic gradient.
    private func compare(
        name: String, analytic: [Float], rng: inout RandomGenerator, loss: () -> Double,
        get: (Int) -> Float, set: (Int, Float) -> Void, sourceLocation: SourceLocation
    ) -> Float {
        var indices: [Int]
        if analytic.count <= 2 * samples {
            indices = Array(analytic.indices)
        } else {
            let largest = analytic.indices.max { abs(analytic[$0]) < abs(analytic[$1]) }!
            indices = [largest] + (0..<samples).map { _ in rng.int(below: analytic.count) }
        }
        var maxDiff: Float = 0, maxRef: Float = 0
        for i in indices {
            let original = get(i)
            set(i, original + eps)
            let up = loss()
            set(i, original - eps)
            let down = loss()
            set(i, original)
            let numeric = Float((up - down) / (2 * Double(eps)))
            maxDiff = max(maxDiff, abs(numeric - analytic[i]))
            maxRef = max(maxRef, abs(analytic[i]))
        }
        let relative = maxDiff / max(maxRef, floor)
        if ProcessInfo.processInfo.environment["GRADCHECK_VERBOSE"] != nil {
            print("gradcheck \(name): max|Δ| \(maxDiff) max|ref| \(maxRef) relative \(relative)")
        }
        #expect(
            relative <= tolerance,
            "\(name): max|numeric - analytic| = \(maxDiff), max|analytic| = \(maxRef), relative \(relative)",
            sourceLocation: sourceLocation)
        return relative
    }
}

/// Largest |a - b| over largest |b| (b is the reference), for comparing whole tensors.
func relativeError(_ a: Tensor, _ b: Tensor) -> Float {
    precondition(a.shape == b.shape, "relativeError: \(a.shapeDescription) vs \(b.shapeDescription)")
    let ref = b.data.reduce(Float(0)) { max($0, abs($1)) }
    return a.maxAbsDifference(b) / max(ref, 1e-12)
}
