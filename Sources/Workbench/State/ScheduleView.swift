import DiffusionEngine
import TerminalUI

/// The Schedule screen's cursor and overlay.
public struct ScheduleView: Equatable, Sendable {
    /// The t whose exact values are shown, 0..<T.
    public var cursor: Int
    public var overlay = ScheduleOverlay.none
    /// Which training image the forward strip shows (wraps over the data set).
    public var imageIndex = 0
    /// Seed of the forward strip's noise ε.
    public var noiseSeed: UInt64 = 7
}

/// A second curve drawn over the schedule plots.
public enum ScheduleOverlay: Hashable, Sendable {
    case none
    /// Another schedule kind with the same T.
    case kind(ScheduleKind)
    /// The 4th-root forward variant (FIX 1's feared mistake): √ applied to the √ buffers.
    case fourthRoot

    /// `o` cycles: none → linear → cosine → quadratic → sigmoid → 4th root → none.
    public var next: ScheduleOverlay {
        let order: [ScheduleOverlay] = [.none] + ScheduleKind.allCases.map { .kind($0) } + [.fourthRoot]
        let i = order.firstIndex(of: self) ?? 0
        return order[(i + 1) % order.count]
    }

    public var label: String {
        switch self {
        case .none: return "none"
        case .kind(let k): return "\(k.rawValue) schedule"
        case .fourthRoot: return "4th-root forward (√ of √ buffers)"
        }
    }
}
