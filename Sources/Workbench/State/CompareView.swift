import DiffusionEngine
import TerminalUI

/// The Compare screen: two chains on the same seed and noise, A and B switch sets.
public struct CompareView: Equatable, Sendable {
    public var settings: ChainSettings
    public var a: FixSet
    public var b: FixSet
    /// The frame shown (0 = x_T, k = after k steps); nil follows the newest computed frame.
    public var position: Int?
}
