import DiffusionEngine
import Foundation
import TerminalUI

/// Another run drawn over the main one on the Train screen (its loss chart and its milestone
/// table), in its own colour, with a legend: a finished run read from its folder
/// (`ddpm --baseline DIR`), or the B run trained in lockstep beside A. How the snapshot is made is
/// not the screen's business: anything that can fill a `TrainingSnapshot` can be an overlay.
public struct RunOverlay: Sendable {
    /// Which theme colour an overlay is drawn in.
    public enum ColorRole: Sendable, CaseIterable, Equatable {
        case seriesB, cursor, ok, hiFg

        public func color(in theme: Theme) -> RGB {
            switch self {
            case .seriesB: return theme.seriesB
            case .cursor: return theme.cursor
            case .ok: return theme.ok
            case .hiFg: return theme.hiFg
            }
        }

        /// The role of the `index`-th overlay (the main run is drawn in `loss`).
        public static func nth(_ index: Int) -> ColorRole { allCases[index % allCases.count] }
    }

    /// A short name for the legend and the table ("baseline", "B").
    public var label: String
    public var snapshot: TrainingSnapshot
    public var color: ColorRole

    public init(label: String, snapshot: TrainingSnapshot, color: ColorRole = .seriesB) {
        self.label = label
        self.snapshot = snapshot
        self.color = color
    }

    /// A finished run folder read once (its `metrics.jsonl`: losses, their history, milestones).
    /// - Throws: a one-line error naming the folder when it is missing, has no `metrics.jsonl`, or
    ///   logged no step.
    public static func baseline(folder: String, label: String = "baseline", color: ColorRole = .seriesB) throws -> RunOverlay {
        try requireRunFolder(folder)
        let metrics = folder + "/metrics.jsonl"
        guard case .appended(let lines) = MetricsFollower(path: metrics).poll() else {
            throw EngineError("run folder \(folder): cannot read \(metrics)")
        }
        var log = RunLog()
        log.apply(lines)
        guard !log.steps.isEmpty else { throw EngineError("run folder \(folder): metrics.jsonl has no step lines yet; pass a run that has trained") }
        var s = TrainingSnapshot(log: log, options: log.writer?.options ?? TrainingOptions(), data: folder)
        s.status = log.finished ? "finished" : "unfinished (step \(log.step))"
        return RunOverlay(label: label, snapshot: s, color: color)
    }

    /// Checks that `folder` is a folder holding `metrics.jsonl` (what `--baseline` validates).
    /// - Throws: a one-line error naming the folder.
    public static func requireRunFolder(_ folder: String) throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue else {
            throw EngineError("run folder \(folder): no such folder; pass the folder a training run wrote (the one holding metrics.jsonl)")
        }
        guard FileManager.default.fileExists(atPath: folder + "/metrics.jsonl") else {
            throw EngineError("run folder \(folder): no metrics.jsonl in it; pass the folder a training run wrote")
        }
    }
}
