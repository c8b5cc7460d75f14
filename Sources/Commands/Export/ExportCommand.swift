import ArgumentParser
import DiffusionEngine
import Foundation
import ImageIO
import Workbench

/// `ddpm export`: a folder to copy to a GPU machine, where the same run continues under
/// `torchrun` (the PyTorch trainer, twin of `ddpm train`), plus the model as a plain state dict.
///
/// The folder always holds a checkpoint: the given one, or a fresh one at step 0 made from the
/// training flags, so the PyTorch run starts from exactly the weights `ddpm train` would have
/// started from, and `launch.sh` has one path: resume it.
public struct ExportCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a folder that continues a run on a GPU machine with torchrun, and the model as a state dict.",
        discussion: """
            The folder: train.py and the modules it imports (the PyTorch trainer, twin of ddpm \
            train), requirements.txt, checkpoint.safetensors (the given one, or step 0 of the \
            training flags), data/ (the built-in faces as PNGs with their NOTICE, when no --data \
            was given), launch.sh (the torchrun command for these options: one process per GPU, \
            global batch kept), model.safetensors (the EMA weights with plain state-dict keys) and \
            config.json (the UNet config), which a PyTorch user loads with:
              from unet import UNet, UNetConfig; from safetensors.torch import load_model
              model = UNet(UNetConfig.from_json(open("config.json").read())); load_model(model, "model.safetensors")
            Back here, 'ddpm train --resume' and 'ddpm --checkpoint' open the checkpoints it writes.
              ddpm export --checkpoint runs/cats/checkpoint.safetensors --out gpu-cats --steps 20000
              ddpm export --preset course --data ~/afhq/train --class cat --out gpu-course
            """)

    @OptionGroup public var dataFlags: DataFlags

    @Option(help: ArgumentHelp(
        "A checkpoint to continue (its options are kept; --steps may raise the total). Without it, the training flags make a fresh run.",
        valueName: "file"))
    public var checkpoint: String?

    @Option(help: ArgumentHelp("The folder to write (must not hold a checkpoint yet).", valueName: "dir"))
    public var out: String

    @OptionGroup(title: "Training options") public var training: TrainingFlags

    public init() {}

    public func validate() throws {
        if let checkpoint { try Checkpoint.requireFile(path: checkpoint) }
        try FlagValues.checkFreshRunFolder(out, resumeFlag: "ddpm export --checkpoint")
    }

    public func run() throws {
        try run(console: .standard())
    }

    /// Writes the folder and prints what is in it and how to launch it.
    /// - Throws: `FlagError`/`EngineError`/`ImageError` with a one-line message; a half-written
    ///   folder is left as it is (it holds nothing that was not copied or made here).
    public func run(console: Console) throws {
        try FlagError.rewording(training.runFlag(for:)) {
            let loaded = try checkpoint.map(Checkpoint.load(path:))
            let options = try training.options(base: TrainingOptions(), data: dataFlags.source, resuming: loaded)
            if let c = loaded, c.step >= options.steps {
                throw FlagError("--steps: \(checkpoint!) is at step \(c.step) of its \(options.steps); pass --steps N (more than \(c.step)) to train further")
            }
            try write(options: options, checkpoint: loaded, console: console)
        }
    }

    func write(options: TrainingOptions, checkpoint loaded: Checkpoint.Loaded?, console: Console) throws {
        try make(out)
        // The checkpoint: copied, or step 0 of these options on this data (its data order needs the image count).
        let file: SafeTensors
        if let loaded {
            file = loaded.file
            var f = file
            f.metadata["options"] = Self.json(options)  // a raised --steps travels in it
            try f.write(path: out + "/checkpoint.safetensors")
        } else {
            let data = try dataFlags.source.load(for: options.model)
            for w in data.warnings { console.warn("skipped \(w)") }
            let trainer = try Trainer(options: options, dataset: data.set)
            file = trainer.checkpointFile()
            try file.write(path: out + "/checkpoint.safetensors")
        }
        for (name, contents) in TrainerSources.files { try put(contents, name) }
        try put(Data(TrainerSources.requirements.utf8), "requirements.txt")
        if dataFlags.data == nil {
            try make(out + "/data")
            for (i, name) in BuiltinFaces.names.enumerated() { try put(Data(BuiltinFaces.pngBytes(at: i)), "data/\(name).png") }
            try put(Data(BuiltinFaces.notice.utf8), "data/NOTICE")
        }
        try put(Data(launchScript(options: options).utf8), "launch.sh", executable: true)
        try writeModel(file, options: options)
        console.line("ddpm export: wrote \(out) (\(options.preset), \(options.model.imageSize)x\(options.model.imageSize), step \(loaded?.step ?? 0) of \(options.steps), global batch \(options.batchSize) x accumulate \(options.accumulate))")
        console.line("  copy it to a GPU machine, then: cd \(FlagValues.shellWord((out as NSString).lastPathComponent)) && pip install -r requirements.txt && ./launch.sh")
        console.line("  back here: ddpm watch <synced run folder>, ddpm train --resume <run>/checkpoint.safetensors")
    }

    /// `model.safetensors` (EMA weights under the twin's plain names) and `config.json`.
    func writeModel(_ file: SafeTensors, options: TrainingOptions) throws {
        var model = SafeTensors()
        let prefix = file.tensors.keys.contains { $0.hasPrefix("ema.") } ? "ema." : "param."
        for (name, t) in file.tensors where name.hasPrefix(prefix) {
            model.set(String(name.dropFirst(prefix.count)), t)
        }
        model.metadata = ["format": "pt", "source": "ddpm export (\(prefix == "ema." ? "EMA" : "raw") weights)"]
        try model.write(path: out + "/model.safetensors")
        try put(Data((Self.json(options.model) + "\n").utf8), "config.json")
    }

    /// The torchrun command for these options: one process per GPU (or `NPROC`), the data folder
    /// as exported (or `DATA`), the run folder `run/` (or `OUT`), resuming the exported checkpoint.
    func launchScript(options o: TrainingOptions) -> String {
        let data = dataFlags.data.map { FlagValues.shellWord($0) } ?? "data"
        let cls = dataFlags.className.map { " --class \(FlagValues.shellWord($0))" } ?? ""
        return """
            #!/usr/bin/env bash
            # Written by ddpm export: continues checkpoint.safetensors (\(o.preset), \(o.model.imageSize)px, \
            global batch \(o.batchSize)) to step \(o.steps)
            # under torchrun: one process per GPU (NCCL), or NPROC processes on the CPU (gloo).
            # NPROC must divide the global batch \(o.batchSize). Override DATA, OUT, NPROC as needed.
            set -euo pipefail
            cd "$(dirname "$0")"
            if [ -z "${NPROC:-}" ]; then
              NPROC=$(nvidia-smi -L 2>/dev/null | wc -l || true)
              [ "${NPROC:-0}" -ge 1 ] || NPROC=1
              while [ $((\(o.batchSize) % NPROC)) -ne 0 ]; do NPROC=$((NPROC - 1)); done
            fi
            OUT="${OUT:-run}"
            mkdir -p "$OUT"
            [ -f "$OUT/checkpoint.safetensors" ] || cp checkpoint.safetensors "$OUT/checkpoint.safetensors"
            exec torchrun --standalone --nproc_per_node="$NPROC" train.py \\
              --data "${DATA:-\(data)}"\(cls) --resume "$OUT/checkpoint.safetensors" --steps \(o.steps) --out "$OUT" "$@"

            """
    }

    private func make(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw FlagError("--out \(path): cannot create it (\(error.localizedDescription)); pick another --out")
        }
    }

    private func put(_ data: Data, _ name: String, executable: Bool = false) throws {
        let path = out + "/" + name
        try AtomicFile.write(path: path, bytes: [UInt8](data))
        if executable { chmod(path, 0o755) }
    }

    static func json<T: Encodable>(_ value: T) -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? e.encode(value)) ?? Data(), as: UTF8.self)
    }
}
