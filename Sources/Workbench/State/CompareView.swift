import DiffusionEngine
import TerminalUI

/// What the Compare screen's two chains run on (`m` switches when there is a second model).
public enum CompareMode: Hashable, Sendable {
    /// Both chains on the one model, A's and B's fix sets (the A/B of a switch on sampling).
    case fixSets
    /// Chain A on A's model, chain B on B's (a pair's B, or `--checkpoint-b`), each with its own
    /// schedule and objective and the fix set it was trained with (digit keys still flip B's).
    case models
}

/// The Compare screen: two chains on the same seed and noise, A and B switch sets.
public struct CompareView: Equatable, Sendable {
    public var settings: ChainSettings
    public var a: FixSet
    public var b: FixSet
    public var mode = CompareMode.fixSets
    /// The frame shown (0 = x_T, k = after k steps); nil follows the newest computed frame.
    public var position: Int?
}
