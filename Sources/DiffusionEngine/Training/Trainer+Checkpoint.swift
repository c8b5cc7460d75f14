import Foundation

extension Trainer {
    /// The whole training state as a safetensors value.
    public func checkpointFile() -> SafeTensors {
        var f = SafeTensors()
        let store = model.store
        func put(_ prefix: String, _ arena: [Float]) {
            for e in store.entries {
                f.set(prefix + e.name, Tensor(shape: e.shape, data: Array(arena[e.offset..<e.offset + e.count])))
            }
        }
        put("param.", store.values)
        put("ema.", ema.values)
        put("adam.m.", adam.m)
        put("adam.v.", adam.v)
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        func json<T: Encodable>(_ v: T) -> String { String(decoding: (try? enc.encode(v)) ?? Data(), as: UTF8.self) }
        f.metadata = [
            "format": Checkpoint.format,
            "options": json(options),
            "config": options.family == .vae ? json(options.vae) : json(options.model),
            "fixes": options.fixes.description,
            "step": String(step),
            "adam_step": String(adam.step),
            "sampler": json(sampler),
            "loss_history": json(lossHistory.map { $0.isFinite ? $0 : -1 }),
            "bucket_loss": json(bucketLoss.map { $0.isFinite ? $0 : -1 }),
        ]
        if !termHistory.isEmpty {
            f.metadata["term_history"] = json(termHistory.mapValues { $0.map { $0.isFinite ? $0 : -1 } })
        }
        return f
    }

    /// Writes the checkpoint atomically.
    public func saveCheckpoint(path: String) throws {
        try checkpointFile().write(path: path)
    }

    /// Restores a run from its checkpoint exactly (weights, EMA, Adam, step, data order).
    /// - Parameters:
    ///   - c: the checkpoint, loaded (and validated) once by the caller, who also reads its options.
    ///   - steps: a new total step count (to train further than first planned), or nil.
    public convenience init(resuming c: Checkpoint.Loaded, dataset: TrainingSet, steps: Int? = nil) throws {
        var options = c.options
        if let steps { options.steps = steps }
        try self.init(options: options, dataset: dataset)
        let store = model.store
        store.values = c.values
        ema.values = c.emaValues
        adam.m = try Checkpoint.gather(c.file, prefix: "adam.m.", store: store, path: c.path)
        adam.v = try Checkpoint.gather(c.file, prefix: "adam.v.", store: store, path: c.path)
        adam.step = Int(c.file.metadata["adam_step"] ?? "") ?? c.step
        step = c.step
        let dec = JSONDecoder()
        if let s = c.file.metadata["sampler"], let smp = try? dec.decode(EpochSampler.self, from: Data(s.utf8)) {
            guard smp.count == dataset.count else {
                throw EngineError(about: \Trainer.dataset, named: "training images") {
                    "checkpoint \(c.path): it was trained on \(smp.count) images, this dataset has \(dataset.count); use the same \($0)"
                }
            }
            sampler = smp
        }
        lossHistory = c.lossHistory
        if let s = c.file.metadata["term_history"], let h = try? dec.decode([String: [Float]].self, from: Data(s.utf8)) {
            termHistory = h.mapValues { $0.map { $0 < 0 ? .nan : $0 } }
        }
        if let s = c.file.metadata["bucket_loss"], let b = try? dec.decode([Float].self, from: Data(s.utf8)), b.count == Self.bucketCount {
            bucketLoss = b.map { $0 < 0 ? .nan : $0 }
        }
    }
}
