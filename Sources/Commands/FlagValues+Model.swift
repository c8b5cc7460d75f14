import DiffusionEngine
import Foundation

/// The fields both model families' configs have, so `--model` sets them with one table.
protocol ModelShape {
    var imageSize: Int { get set }
    var channels: Int { get set }
    var dim: Int { get set }
    var channelMults: [Int] { get set }
    var resBlocks: Int { get set }
    var groups: Int { get set }
}

extension UNetConfig: ModelShape {}
extension VAEConfig: ModelShape {}

/// `--model`: the model family and the changes to its config.
extension FlagValues {
    /// A `--model` key both families take: image-size, channels, dim, mults, res-blocks or groups.
    static func shapeKey<C: ModelShape>(_ key: String) -> (key: String, set: (inout C, String) throws -> Void) {
        switch key {
        case "image-size": return (key, { $0.imageSize = try modelInt(key, $1, 4...1024) })
        case "channels": return (key, { $0.channels = try modelInt(key, $1, [1, 3]) })
        case "dim": return (key, { $0.dim = try modelInt(key, $1, 4...1024) })
        case "mults": return (key, { $0.channelMults = try modelInts(key, $1, 1...16) })
        case "res-blocks": return (key, { $0.resBlocks = try modelInt(key, $1, 1...8) })
        case "groups": return (key, { $0.groups = try modelInt(key, $1, 1...1024) })
        default: preconditionFailure("shapeKey: \(key) is not a key both model families have")
        }
    }

    /// The keys of `--model vae,...`, in the order help lists them.
    static let vaeKeys: [(key: String, set: (inout VAEConfig, String) throws -> Void)] = [
        shapeKey("image-size"), shapeKey("channels"), shapeKey("dim"), shapeKey("mults"), shapeKey("res-blocks"),
        shapeKey("groups"),
        ("latent", { $0.latentShape = try latent($1) }),
        ("beta", { $0.beta = try modelFloat("beta", $1) }),
        ("warmup", { $0.klWarmupSteps = try modelInt("warmup", $1, 0...100_000_000) }),
        ("recon", { v, text in
            guard let r = VAEConfig.ReconstructionLoss(rawValue: text.lowercased()) else {
                throw FlagError("--model: recon=\(text) must be l2 or l1")
            }
            v.reconstruction = r
        }),
    ]

    /// "image-size, channels, …, warmup or recon".
    public static var vaeKeyList: String { list(vaeKeys.map(\.key)) }

    /// The VAE configs `--preset NAME --model vae` starts from.
    static let vaePresets: [String: VAEConfig] = ["tiny": .tiny, "fixture": .fixture]

    /// `--model TEXT` on a run's options: an optional leading family word (`vae`, or `unet`/
    /// `diffusion`), then comma-separated key=value changes to that family's config — the UNet's
    /// (`modelKeys`) or the VAE's (`vaeKeys`). `vae` starts from the VAE preset of the `--preset`
    /// name (tiny by default) and the VAE recipe (`TrainingOptions.useVAE`: batch, steps,
    /// milestones, EMA; flags after `--model` still change them); a spatial latent follows the
    /// image size unless `latent=` is given.
    /// Examples: `vae`, `vae,latent=4x8x8,beta=0.5`, `vae,latent=64,recon=l1`, `res-blocks=2`.
    public static func model(_ text: String, options base: TrainingOptions) throws -> TrainingOptions {
        var o = base
        var items = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        switch items.first?.lowercased() {
        case "vae":
            items.removeFirst()
            guard let preset = vaePresets[o.preset] else {
                throw FlagError("--model vae: no VAE preset '\(o.preset)'; use --preset \(list(vaePresets.keys.sorted())), or none")
            }
            o.useVAE(preset)
        case "unet", "diffusion":
            items.removeFirst()
            o.family = .diffusion
        default: break
        }
        guard o.family == .vae else {
            o.model = try model(items.joined(separator: ","), base: o.model)
            return o
        }
        try applyKeys(items, to: &o.vae, table: vaeKeys, example: "vae,latent=4x8x8,beta=0.5", keyList: vaeKeyList)
        if o.vae.isSpatialLatent && !items.contains(where: { $0.lowercased().hasPrefix("latent=") }) {
            let s = o.vae.imageSize >> max(0, o.vae.levels - 1)
            o.vae.latentShape = [o.vae.latentShape[0], s, s]
        }
        do { try o.vae.validate() } catch let e as EngineError { throw FlagError("--model: \(e.message)") }
        return o
    }

    /// Applies `key=value` items through `table`, naming the first bad one.
    static func applyKeys<C>(_ items: [String], to c: inout C, table: [(key: String, set: (inout C, String) throws -> Void)],
                             example: String, keyList: String) throws {
        for item in items where !item.isEmpty {
            let kv = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard kv.count == 2, !kv[1].isEmpty else {
                throw FlagError("--model: '\(item)' is not key=value; e.g. --model \(example)")
            }
            guard let entry = table.first(where: { $0.key == kv[0].lowercased() }) else {
                throw FlagError("--model: unknown key '\(kv[0])'; use \(keyList)")
            }
            try entry.set(&c, kv[1])
        }
    }

    /// `latent=4x8x8` (a map: channels x side x side) or `latent=128` (a vector).
    static func latent(_ v: String) throws -> [Int] {
        let parts = v.lowercased().split(separator: "x").map { Int($0) }
        guard (parts.count == 1 || parts.count == 3), parts.allSatisfy({ ($0 ?? 0) > 0 && ($0 ?? 0) <= 65536 }) else {
            throw FlagError("--model: latent=\(v) must be CxSxS (a map, e.g. 4x8x8) or N (a vector, e.g. 128)")
        }
        return parts.map { $0! }
    }

    static func modelFloat(_ key: String, _ v: String) throws -> Float {
        guard let x = Float(v), x >= 0, x.isFinite else {
            throw FlagError("--model: \(key)=\(v) must be a number, 0 or more")
        }
        return x
    }
}
