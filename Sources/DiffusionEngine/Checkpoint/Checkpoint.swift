import Foundation

/// Checkpoints are safetensors files that PyTorch and the `safetensors` package can read:
///
///     param.<name>    the weights, names as in the PyTorch twin (strip "param." for a state_dict)
///     ema.<name>      the EMA weights
///     adam.m.<name>   Adam's first moments
///     adam.v.<name>   Adam's second moments
///     __metadata__    format, options (family, config, switches, ...), config (the UNet's, or the
///                     VAE's for a VAE run), step, adam_step, sampler, loss history, and for a loss
///                     with named terms (the VAE's) their history
///
/// A VAE checkpoint has the same layout: its `param.` tensors are a state_dict of `reference/vae.py`.
///
/// Written atomically (temp file, fsync, rename), so a kill at any moment leaves the previous
/// checkpoint loadable.
public enum Checkpoint {
    public static let format = "ddpm-checkpoint-1"

    /// A checkpoint read into memory: enough to sample, view or resume (`Trainer(resuming:)`), so a
    /// caller that needs its options first loads it once and passes it on.
    public struct Loaded: Sendable {
        public var options: TrainingOptions
        public var step: Int
        public var values: [Float]
        public var emaValues: [Float]
        public var file: SafeTensors
        public var path: String
    }

    /// Reads and validates a checkpoint: header, format, options, config and every tensor's shape.
    public static func load(path: String) throws -> Loaded {
        try requireFile(path: path)
        let file = try SafeTensors.read(path: path)
        guard file.metadata["format"] == format else {
            throw EngineError("checkpoint \(path): not a ddpm checkpoint (metadata format is \(file.metadata["format"] ?? "missing")); was it written by ddpm train?")
        }
        let options: TrainingOptions
        do {
            options = try JSONDecoder().decode(TrainingOptions.self, from: Data((file.metadata["options"] ?? "").utf8))
        } catch {
            throw EngineError("checkpoint \(path): its options metadata is unreadable (\(error)); the file is damaged")
        }
        do {
            try options.validate()
        } catch let e as EngineError {
            // Not `e` itself: it names an option, and a front end would reword it as one of its flags.
            throw EngineError("checkpoint \(path): \(e.message); the file is damaged")
        }
        guard let step = Int(file.metadata["step"] ?? "") else {
            throw EngineError("checkpoint \(path): no step in its metadata; the file is damaged")
        }
        let model = try options.makeModel(seed: 0)
        let values = try gather(file, prefix: "param.", store: model.store, path: path)
        // A checkpoint without EMA tensors (e.g. a plain state_dict export) samples with the raw
        // weights; one that has them must have them whole and finite.
        let hasEMA = file.tensors.keys.contains { $0.hasPrefix("ema.") }
        let emaValues = hasEMA ? try gather(file, prefix: "ema.", store: model.store, path: path) : values
        return Loaded(options: options, step: step, values: values, emaValues: emaValues, file: file, path: path)
    }

    /// Checks that `path` exists, so a front end can refuse a missing checkpoint before any work.
    public static func requireFile(path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw EngineError("checkpoint \(path): no such file; pass the checkpoint.safetensors of a run folder")
        }
    }

    /// Collects `prefix + name` for every parameter of `store` into one arena, checking shapes.
    static func gather(_ file: SafeTensors, prefix: String, store: ParameterStore, path: String) throws -> [Float] {
        var out = [Float](repeating: 0, count: store.count)
        for e in store.entries {
            guard let t = file.tensors[prefix + e.name] else {
                throw EngineError("checkpoint \(path): tensor \(prefix + e.name) is missing; the file does not match its own config")
            }
            guard t.shape == e.shape else {
                throw EngineError("checkpoint \(path): \(prefix + e.name) has shape \(t.shapeDescription), the config needs \(e.shape)")
            }
            // A NaN or infinity in the weights samples nothing but noise (or NaN) without a word:
            // refuse the file, naming the first bad tensor and element.
            if let bad = t.data.firstIndex(where: { !$0.isFinite }) {
                throw EngineError("checkpoint \(path): \(prefix + e.name) holds \(t.data[bad]) at element \(bad); the weights diverged or the file is damaged — use an earlier checkpoint")
            }
            out.replaceSubrange(e.offset..<e.offset + e.count, with: t.data)
        }
        return out
    }
}

extension Checkpoint.Loaded {
    /// Every step's loss as the run logged it (NaN where it was not finite); empty when the
    /// checkpoint has none.
    public var lossHistory: [Float] {
        guard let s = file.metadata["loss_history"], let h = try? JSONDecoder().decode([Float].self, from: Data(s.utf8)) else { return [] }
        return h.map { $0 < 0 ? .nan : $0 }
    }
}
