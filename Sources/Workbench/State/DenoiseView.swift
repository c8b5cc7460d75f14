import DiffusionEngine
import TerminalUI

/// The Denoise screen's player: where in the chain, playing or not, how fast.
public struct DenoiseView: Equatable, Sendable {
    public var settings: ChainSettings
    /// 0...length: frame k shows step k (x_t and the model's predictions at t); `length` is x_0.
    public var position = 0
    public var playing = false
    public var speedIndex = 5
    /// Fractional steps carried between ticks while playing.
    public var carry = 0.0
    /// `a` was pressed: the whole chain is computed, then written as a GIF (`WorkbenchLoop`).
    public var gifPending = false

    public var stepsPerSecond: Double { AppState.speeds[min(max(0, speedIndex), AppState.speeds.count - 1)] }
}
