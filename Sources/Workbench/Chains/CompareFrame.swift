import DiffusionEngine

/// One frame of the Compare screen: both chains after the same number of steps, kept (with the
/// images) so the user can browse back; the engine's `ChainPair` keeps only the differences.
public struct CompareFrame: Sendable {
    /// x of chain A and of chain B after this step, (1,C,H,W).
    public var xA: Tensor
    public var xB: Tensor
    /// How far apart they are; its t is the step just taken (T for frame 0, x_T).
    public var difference: StepDifference

    public var t: Int { difference.t }

    public init(xA: Tensor, xB: Tensor, difference: StepDifference) {
        self.xA = xA
        self.xB = xB
        self.difference = difference
    }
}
