import DiffusionEngine
import Foundation
import TerminalUI

/// Turns the words users type after a flag into engine values, with one-line errors.
///
/// The commands' `validate()` and `run` call these; each is tested without the argument parser.
public enum FlagValues {
    /// The model presets in the order `--help` lists them (`fixture` is for tests).
    public static let presetNames = ["tiny", "course", "tiny64", "course64", "fixture"]

    /// `--preset NAME` → the UNet config.
    public static func preset(_ name: String) throws -> UNetConfig {
        guard let c = UNetConfig.presets[name.lowercased()] else {
            throw FlagError("--preset: unknown preset '\(name)'; choose \(list(presetNames.filter { $0 != "fixture" })) (or fixture, for tests)")
        }
        return c
    }

    /// The keys of `--model`, in the order help lists them, each with what it sets.
    /// `image-size` must be divisible by 2^(levels-1); `channels` is 3 (RGB) or 1 (grey data).
    static let modelKeys: [(key: String, set: (inout UNetConfig, String) throws -> Void)] = [
        shapeKey("image-size"), shapeKey("channels"), shapeKey("dim"), shapeKey("mults"), shapeKey("res-blocks"),
        ("attention", { $0.attentionResolutions = try modelInts("attention", $1, 1...1024) }),
        ("heads", { $0.attentionHeads = try modelInt("heads", $1, 1...64) }),
        ("head-dim", { $0.attentionHeadDim = try modelInt("head-dim", $1, 1...1024) }),
        shapeKey("groups"),
    ]

    /// "image-size, channels, dim, ... or groups".
    public static var modelKeyList: String { list(modelKeys.map(\.key)) }

    /// `--model TEXT`: comma-separated `key=value` changes to a preset's UNet, e.g.
    /// `res-blocks=2,attention=16`, `dim=48,mults=1-2-2` or `image-size=64,channels=1`
    /// (keys: `modelKeys`; mults and attention are dash-separated, attention may be `none`).
    public static func model(_ text: String, base: UNetConfig) throws -> UNetConfig {
        var c = base
        try applyKeys(text.split(separator: ",").map(String.init), to: &c, table: modelKeys,
                      example: "res-blocks=2,attention=16", keyList: modelKeyList)
        guard !c.channelMults.isEmpty else { throw FlagError("--model: mults needs at least one level, e.g. mults=1-2-2") }
        do { try c.validate() } catch let e as EngineError { throw FlagError("--model: \(e.message)") }
        return c
    }

    static func modelInt(_ key: String, _ v: String, _ allowed: ClosedRange<Int>) throws -> Int {
        guard let n = Int(v), allowed.contains(n) else {
            throw FlagError("--model: \(key)=\(v) must be a whole number in \(allowed.lowerBound)...\(allowed.upperBound)")
        }
        return n
    }

    static func modelInt(_ key: String, _ v: String, _ allowed: [Int]) throws -> Int {
        guard let n = Int(v), allowed.contains(n) else {
            throw FlagError("--model: \(key)=\(v) must be \(list(allowed.map(String.init)))")
        }
        return n
    }

    static func modelInts(_ key: String, _ v: String, _ allowed: ClosedRange<Int>) throws -> [Int] {
        if v.lowercased() == "none" { return [] }
        return try v.split(separator: "-").map { try modelInt(key, String($0), allowed) }
    }

    /// `--schedule`/`--kind NAME` → the β curve.
    public static func schedule(_ name: String, flag: String = "--schedule") throws -> ScheduleKind {
        guard let k = ScheduleKind(rawValue: name.lowercased()) else {
            throw FlagError("\(flag): unknown schedule '\(name)'; choose \(list(ScheduleKind.allCases.map(\.rawValue)))")
        }
        return k
    }

    /// A word naming one case of `T` (`--augment flip`, `--lr-decay cosine`), case-insensitive.
    public static func word<T: RawRepresentable & CaseIterable>(_ name: String, flag: String, what: String) throws -> T
    where T.RawValue == String {
        guard let v = T(rawValue: name.lowercased()) else {
            throw FlagError("\(flag): unknown \(what) '\(name)'; choose \(list(T.allCases.map(\.rawValue)))")
        }
        return v
    }

    /// `--objective NAME` → what the model predicts (`eps` is accepted for `epsilon`).
    public static func objective(_ name: String, flag: String = "--objective") throws -> Objective {
        let n = name.lowercased()
        if n == "eps" || n == "noise" { return .epsilon }
        guard let o = Objective(rawValue: n) else {
            throw FlagError("\(flag): unknown objective '\(name)'; choose epsilon, x0 or v")
        }
        return o
    }

    /// `--fixes TEXT` (the `FixSet` compact form) on top of `base`.
    public static func fixes(_ text: String, base: FixSet = .fixed, flag: String = "--fixes") throws -> FixSet {
        do {
            return try FixSet(parsing: text, base: base)
        } catch let e as EngineError {
            throw FlagError("\(flag): \(e.message)")
        }
    }

    /// `--sampler NAME [--steps K] [--eta E]` → a sampler for a schedule of T steps.
    ///
    /// `--steps` without `--sampler` means DDIM; DDPM always takes all T steps, so `--steps`
    /// (other than T) and `--eta` with `--sampler ddpm` are errors rather than silently ignored.
    /// With `timesteps` nil (the checkpoint is not read yet) the checks that need T are left to
    /// the call that has it, and DDIM's default of 100 steps stands in for min(T, 100).
    public static func sampler(_ name: String?, steps: Int?, eta: Float?, timesteps T: Int?) throws -> Sampler {
        let n = name?.lowercased() ?? (steps != nil || eta != nil ? "ddim" : "ddpm")
        switch n {
        case "ddpm":
            if let steps, let T, steps != T {
                throw FlagError("--steps \(steps): DDPM always takes all T=\(T) steps; use --sampler ddim --steps \(steps)")
            }
            if eta != nil { throw FlagError("--eta: applies to --sampler ddim only") }
            return .ddpm
        case "ddim":
            let k = steps ?? min(T ?? 100, 100)
            guard k >= 1 && k <= (T ?? k) else {
                throw FlagError(T.map { "--steps \(k): DDIM needs 1...\($0) steps (the checkpoint's T)" } ?? "--steps \(k): DDIM needs at least 1 step")
            }
            let e = eta ?? 0
            guard e >= 0, e.isFinite else { throw FlagError("--eta \(e): must be 0 (deterministic) or positive") }
            return .ddim(steps: k, eta: e)
        default:
            throw FlagError("--sampler: unknown sampler '\(name ?? "")'; choose ddpm or ddim")
        }
    }

    /// `--color NAME` → a colour mode; nil detects it from the environment.
    public static func colorMode(_ name: String?, environment: [String: String]) throws -> ColorMode {
        guard let name else { return ColorMode.detect(environment: environment) }
        guard let m = ColorMode(name: name) else {
            throw FlagError("--color: unknown colour mode '\(name)'; choose truecolor, 256 or 16")
        }
        return m
    }

    /// Checks an integer flag is inside `range`.
    public static func check(_ flag: String, _ value: Int, in range: ClosedRange<Int>) throws {
        guard range.contains(value) else {
            throw FlagError("\(flag) \(value): must be between \(range.lowerBound) and \(range.upperBound)")
        }
    }

    /// "a, b, c or d".
    static func list(_ items: [String]) -> String {
        items.count <= 1 ? items.joined() : items.dropLast().joined(separator: ", ") + " or " + items.last!
    }

    /// A path as a shell word: quoted when it holds anything but safe characters.
    public static func shellWord(_ s: String) -> String {
        let safe = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%")
        if !s.isEmpty && s.unicodeScalars.allSatisfy({ safe.contains($0) }) { return s }
        return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The default run folder: `runs/<yyyyMMdd-HHmmss>` under the current directory.
    public static func defaultRunFolder(now: Date = Date()) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "yyyyMMdd-HHmmss"
        return "runs/" + f.string(from: now)
    }

    /// The run folder: `--out`, else the resumed checkpoint's folder, else `runs/<timestamp>`; a
    /// fresh run refuses a folder that already holds a checkpoint (`checkFreshRunFolder`).
    public static func runFolder(out: String?, resuming checkpoint: String?, resumeFlag: String) throws -> String {
        let path = out ?? checkpoint.map(folder(of:)) ?? defaultRunFolder()
        if checkpoint == nil { try checkFreshRunFolder(path, resumeFlag: resumeFlag) }
        return path
    }

    /// Refuses to start a new run in a folder that already holds a checkpoint: the new run would
    /// replace it (FIX 2's point is that a trained model is never lost by accident).
    /// - Parameter resumeFlag: the flag that continues a run in this command (`--resume`, `--checkpoint`).
    public static func checkFreshRunFolder(_ out: String, resumeFlag: String = "--resume") throws {
        let existing = out + "/checkpoint.safetensors"
        guard FileManager.default.fileExists(atPath: existing) else { return }
        throw FlagError("--out \(out): already holds a checkpoint; continue it with \(resumeFlag) \(shellWord(existing)), or pick another --out")
    }

    /// The folder holding `path` ("." for a bare file name).
    public static func folder(of path: String) -> String {
        let d = (path as NSString).deletingLastPathComponent
        return d.isEmpty ? "." : d
    }
}
