import DiffusionEngine
import Foundation
import Workbench

extension FlagValues {
    /// The keys `--ab` takes besides the fix switches' (`TrainerPair.variableFields` in the
    /// command line's words), each parsed as its own flag parses it.
    static let abOptionKeys: [(key: String, set: (inout TrainingOptions, String) throws -> Void)] = [
        ("objective", { $0.objective = try objective($1, flag: "--ab objective") }),
        ("schedule", { $0.schedule = try schedule($1, flag: "--ab schedule") }),
        ("lr", { o, v in
            guard let x = Float(v), x > 0, x.isFinite else { throw FlagError("--ab lr=\(v): expected a positive number, e.g. lr=3e-4") }
            o.learningRate = x
        }),
    ]

    /// "fwd, t0, input, extract, clip, var, loss, objective, schedule or lr".
    public static var abKeyList: String { list(FixSwitch.allCases.map(\.key) + abOptionKeys.map(\.key)) }

    /// `--ab SPEC`: B's options, `base` (A's) with SPEC's comma-separated changes. Fix-switch
    /// items (`input=x0`, `fwd=sqrt-of-sqrt`, `loss=l2`, or a preset such as `course`) go to the
    /// `--fixes` parser over A's set, in their order; `objective=`, `schedule=` and `lr=` set those
    /// options.
    /// - Throws: `FlagError`, one line: an unknown key (listing the valid ones), a bad value, or a
    ///   SPEC that leaves B equal to A.
    public static func abOptions(_ spec: String, base: TrainingOptions) throws -> TrainingOptions {
        var o = base
        var fixItems: [String] = []
        for raw in spec.split(separator: ",", omittingEmptySubsequences: false) {
            let item = raw.trimmingCharacters(in: .whitespaces)
            guard !item.isEmpty else {
                throw FlagError("--ab \(spec): empty item; give comma-separated key=value items, e.g. --ab input=x0")
            }
            let kv = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            let key = kv[0].lowercased()
            if let option = abOptionKeys.first(where: { $0.key == key }) {
                guard kv.count == 2, !kv[1].isEmpty else { throw FlagError("--ab: '\(item)' is not key=value, e.g. \(key)=…") }
                try option.set(&o, kv[1])
            } else if FixSwitch(key: key) != nil || (kv.count == 1 && FixSet.presets[key] != nil) {
                fixItems.append(item)
            } else {
                throw FlagError("--ab: unknown key '\(kv[0])'; valid keys: \(abKeyList)")
            }
        }
        o.fixes = try fixes(fixItems.joined(separator: ","), base: base.fixes, flag: "--ab")
        guard o != base else {
            throw FlagError("--ab \(spec): B would be the same as A; name a difference, e.g. --ab input=x0")
        }
        return o
    }

    /// Refuses to start a pair in a folder that already holds one (either run's checkpoint).
    public static func checkFreshPairFolder(_ out: String) throws {
        let held = TrainerPair.Side.allCases.map { ABTrainingSession.runPath(out, $0) + "/checkpoint.safetensors" }
        if held.contains(where: FileManager.default.fileExists(atPath:)) {
            throw FlagError("--out \(out): already holds an A/B pair; continue it with ddpm train --resume \(shellWord(out)), or pick another --out")
        }
    }

    /// `--checkpoint-b PATH` (of `compare` and the workbench) beside A: two models compared on
    /// the same noise must make images of one shape over the same T.
    /// - Throws: `FlagError`, one line naming what differs.
    public static func checkSecondModel(_ b: TrainingOptions, path: String, beside a: TrainingOptions) throws {
        let (ma, mb) = (a.model, b.model)
        guard ma.imageSize == mb.imageSize, ma.channels == mb.channels else {
            throw FlagError("--checkpoint-b \(path): makes \(mb.imageSize)px images with \(mb.channels) channels, A makes \(ma.imageSize)px with \(ma.channels); compare models of one image shape")
        }
        guard a.timesteps == b.timesteps else {
            throw FlagError("--checkpoint-b \(path): its schedule has T=\(b.timesteps), A's T=\(a.timesteps); the two chains must visit the same timesteps")
        }
    }
}
