import DiffusionEngine
import Foundation
import ImageIO

/// A training run with its files: the loop the CLI and the workbench share.
///
/// Every `saveEvery` steps (a milestone): checkpoint, sample grid PNG, quality metrics, all logged
/// to `metrics.jsonl`. At the end, on `stop()` and on SIGINT/SIGTERM: the step in flight finishes,
/// then a final checkpoint and grid are written (FIX 2: a run never ends without saving), and
/// `run` returns how it ended. A NaN loss stops the run without saving over the last good
/// checkpoint.
public final class TrainingSession: @unchecked Sendable {
    public let trainer: Trainer
    public let folder: RunFolder
    public let log: MetricsLog
    public let dataDescription: String
    /// The checkpoint this session continues (nil for a new run).
    let resumedFrom: String?
    /// The newest snapshot, for screens on other threads.
    public let snapshot: Latest<TrainingSnapshot>

    /// A copy of the weights (raw and EMA), refreshed every `weightsEvery` steps, at milestones and
    /// on `requestWeights()`: what the viewer samples with while training goes on (never the live
    /// arrays, which the training thread writes).
    public let weights: Latest<ModelWeights>
    public var weightsEvery = 100

    /// Images and seconds of the last 20 steps (images/s, ETA); the training thread's alone.
    private var recent: [(time: Double, images: Int)] = []

    /// Requests from other threads (the UI), applied between steps.
    private let requests = Latest<Requests>(Requests())
    struct Requests {
        var pause = false, save = false, sample = false, stop = false, weights = false
        /// Give up the final grid (its checkpoint is written first); checked at every reverse step.
        var skipFinalGrid = false
    }

    /// Why `run` returned.
    public enum End: Equatable, Sendable {
        case finished
        case stopped(signal: Int32?)
        case diverged(message: String)
    }

    /// A fresh run of `options`.
    public convenience init(options: TrainingOptions, data: DataSource.Loaded, out: String) throws {
        try self.init(trainer: Trainer(options: options, dataset: data.set), data: data, out: out, resumedFrom: nil)
    }

    /// Continues a checkpoint the caller has loaded (and read the options of): its weights, EMA,
    /// Adam state, step and data order; `steps` is a new total, nil keeps the checkpoint's.
    public convenience init(resuming checkpoint: Checkpoint.Loaded, steps: Int? = nil, data: DataSource.Loaded, out: String) throws {
        try self.init(trainer: Trainer(resuming: checkpoint, dataset: data.set, steps: steps), data: data, out: out,
                      resumedFrom: checkpoint.path)
    }

    /// A session around a trainer made elsewhere (an A/B pair's).
    init(trainer: Trainer, data: DataSource.Loaded, out: String, resumedFrom checkpointPath: String?) throws {
        self.trainer = trainer
        resumedFrom = checkpointPath
        folder = try RunFolder(path: out)
        log = try MetricsLog(path: folder.metricsPath)
        dataDescription = data.description
        var s = TrainingSnapshot.initial(options: trainer.options, data: data.description)
        s.step = trainer.step
        s.losses = trainer.lossHistory
        s.history = StepHistory(losses: trainer.lossHistory, bucketCount: Trainer.bucketCount)
        s.terms = trainer.termHistory
        s.bucketLoss = trainer.bucketLoss
        if let checkpointPath {
            s.lastCheckpointStep = trainer.step
            s.lastCheckpointPath = checkpointPath
        }
        snapshot = Latest(s)
        weights = Latest(ModelWeights(trainer: trainer))
        metricReference = MetricReferenceBuild(dataset: trainer.dataset)
    }

    // MARK: Requests from the UI thread

    public func setPaused(_ p: Bool) { requests.update { $0.pause = p } }
    public func requestSave() { requests.update { $0.save = true } }
    public func requestSample() { requests.update { $0.sample = true } }
    public func stop() { requests.update { $0.stop = true } }
    /// Stops the final grid's sampling at its next reverse step; the checkpoint is already saved.
    public func skipFinalGrid() { requests.update { $0.skipFinalGrid = true } }
    /// Asks for a fresh `weights` copy after the current step.
    public func requestWeights() { requests.update { $0.weights = true } }

    // MARK: The loop

    /// Trains until `options.steps`, a stop request or a signal.
    /// - Parameter onStep: called on the training thread after every step (the CLI's progress line).
    public func run(onStep: (Trainer.StepResult, TrainingSnapshot) -> Void = { _, _ in }) -> End {
        let opts = trainer.options
        logStart()
        metricReference.start()
        publish { $0.status = "training" }
        while trainer.step < opts.steps {
            guard serveRequests(
                save: { saveCheckpoint() }, sample: { milestone(final: false, writeCheckpoint: false) },
                weights: { weights.write(ModelWeights(trainer: trainer)) }, paused: { p in publishPaused(p) })
            else { break }
            let t0 = monotonicSeconds()
            let result: Trainer.StepResult
            do {
                result = try trainer.trainStep()
            } catch {
                let msg = "\(error)"
                markDiverged(msg)
                return .diverged(message: msg)
            }
            record(result, seconds: monotonicSeconds() - t0)
            onStep(result, snapshot.read().value)
            if trainer.step % opts.saveEvery == 0 && trainer.step < opts.steps {
                milestone(final: false, writeCheckpoint: true)
            }
        }
        return finishRun()
    }

    /// Applies the UI's requests between steps (save, sample, a fresh weights copy), waiting here
    /// while paused; false when the loop must stop (a stop request or a signal). An A/B session
    /// passes actions that act on both of its runs.
    func serveRequests(save: () -> Void, sample: () -> Void, weights: () -> Void, paused: (Bool) -> Void) -> Bool {
        var wasPaused = false
        while true {
            let r = requests.read().value
            if r.stop || StopSignal.pending != nil { return false }
            if r.save { requests.update { $0.save = false }; save() }
            if r.sample { requests.update { $0.sample = false }; sample() }
            if r.weights { requests.update { $0.weights = false }; weights() }
            if !r.pause {
                if wasPaused { paused(false) }
                return true
            }
            if !wasPaused { paused(true); wasPaused = true }
            usleep(50_000)
        }
    }

    func publishPaused(_ p: Bool) {
        publish { $0.paused = p; $0.status = p ? "paused" : "training" }
    }

    /// After a step the trainer took: its metrics line, the snapshot, and the weights copy every
    /// `weightsEvery` steps. `seconds` is the wall time the step cost this run (in an A/B pair,
    /// the pair's step), so images/s and the ETA are what the user waits for.
    func record(_ result: Trainer.StepResult, seconds dt: Double) {
        let opts = trainer.options
        recent.append((dt, opts.batchSize * opts.accumulate))
        if recent.count > 20 { recent.removeFirst() }
        let secs = recent.reduce(0) { $0 + $1.time }
        let ips = Double(recent.reduce(0) { $0 + $1.images }) / max(secs, 1e-9)
        let eta = secs / Double(recent.count) * Double(opts.steps - trainer.step)
        var line: [String: Any] = [
            "step": result.step, "loss": result.loss, "grad_norm": result.gradNorm, "lr": trainer.adam.lr,
            "images_per_s": ips, "wall_time": Date().timeIntervalSince1970, "step_seconds": dt,
            "loss_by_t_bucket": trainer.bucketLoss,
        ]
        for (k, v) in result.terms { line[k] = v }
        log.append(line)
        publish {
            $0.record(step: result.step, loss: result.loss, buckets: self.trainer.bucketLoss)
            $0.terms = self.trainer.termHistory
            $0.gradNorm = result.gradNorm
            $0.learningRate = self.trainer.adam.lr
            $0.imagesPerSecond = ips
            $0.etaSeconds = eta
        }
        if trainer.step % weightsEvery == 0 { weights.write(ModelWeights(trainer: trainer)) }
    }

    /// A non-finite loss: logged, shown, nothing saved over the last checkpoint.
    func markDiverged(_ message: String) {
        log.append(["step": trainer.step + 1, "event": "diverged", "message": message])
        publish { $0.status = "stopped: \(message)"; $0.finished = true }
    }

    /// FIX 2: a final checkpoint and grid, whichever way the loop ended; then how it ended.
    func finishRun() -> End {
        milestone(final: true, writeCheckpoint: true)
        let sig = StopSignal.pending
        let finished = trainer.step >= trainer.options.steps
        publish {
            $0.finished = true
            $0.status = finished ? "finished" : "stopped at step \(self.trainer.step) (saved)"
        }
        return finished ? .finished : .stopped(signal: sig)
    }

    /// The first line this process writes: who writes the folder, and from which step. After a
    /// `resume` line at step k, readers drop the step lines above k written before it (a killed
    /// run logs steps after its last checkpoint; the resumed run takes them again).
    func logStart() {
        var line: [String: Any] = [
            "event": resumedFrom == nil ? "start" : "resume", "step": trainer.step,
            "writer": "ddpm", "world_size": 1, "device": "cpu", "wall_time": Date().timeIntervalSince1970,
        ]
        if let resumedFrom { line["checkpoint"] = resumedFrom }
        if let data = try? JSONEncoder().encode(trainer.options), let object = try? JSONSerialization.jsonObject(with: data) {
            line["options"] = object
        }
        log.append(line)
    }

    /// Writes the checkpoint now (atomically) and records it.
    @discardableResult
    public func saveCheckpoint() -> Bool {
        publish { $0.status = "saving checkpoint…" }
        do {
            try trainer.saveCheckpoint(path: folder.checkpointPath)
            log.append(["step": trainer.step, "event": "checkpoint", "path": folder.checkpointPath])
            publish {
                $0.lastCheckpointStep = self.trainer.step
                $0.lastCheckpointPath = self.folder.checkpointPath
                $0.lastError = nil
                $0.status = $0.paused ? "paused" : "training"
            }
            return true
        } catch {
            publish { $0.status = "checkpoint failed: \(error)"; $0.lastError = "checkpoint failed: \(error)" }
            return false
        }
    }

    /// Checkpoint (optionally), the family's milestone with the EMA weights (a sample grid; a VAE
    /// adds reconstructions of fixed training images), quality metrics of the samples; logged with
    /// the seconds spent on the first two (`sampling_seconds`) and on the metrics (`metrics_seconds`).
    public func milestone(final: Bool, writeCheckpoint: Bool) {
        let t0 = monotonicSeconds()
        if writeCheckpoint { saveCheckpoint() }
        weights.write(ModelWeights(trainer: trainer))
        let n = trainer.options.sampleCount
        publish { $0.status = "sampling \(n) images…" }
        do {
            let opts = trainer.options
            let request = MilestoneRequest(count: n, rng: RandomGenerator(seed: opts.seed ^ 0x5EED).derived(stream: UInt64(trainer.step)),
                                           references: reference)
            let made = try trainer.model.milestone(weights: trainer.ema.values, request: request) { done, total in
                if final && self.requests.read().value.skipFinalGrid { return false }
                if done % 10 == 0 || done == total {
                    self.publish { $0.status = "sampling \(n) images… \(done)/\(total)" }
                }
                return true
            }
            guard let m = made else {
                log.append(["step": trainer.step, "event": "final", "note": "final grid skipped by the user"])
                publish { $0.status = "final grid skipped" }
                return
            }
            let path = final ? folder.finalSamplePath : folder.samplePath(step: trainer.step)
            try TensorImages.writeGrid(m.samples, to: path)
            let t1 = monotonicSeconds()
            publish { $0.status = "measuring the samples…" }
            let (nn, swd) = try metricReference.wait().measure(m.samples)
            let timing = MilestoneTiming(sampling: t1 - t0, metrics: monotonicSeconds() - t1)
            var line: [String: Any] = [
                "step": trainer.step, "event": final ? "final" : "milestone", "samples": path,
                "sampler": m.sampler, "nn_rmse": nn.meanRMSE, "swd": swd.mean, "swd_per_level": swd.perLevel,
                "sampling_seconds": timing.sampling, "metrics_seconds": timing.metrics,
            ]
            if let r = m.reconstructions {
                let reconPath = folder.reconstructionPath(step: final ? nil : trainer.step)
                try TensorImages.writePairs(inputs: r.inputs, outputs: r.outputs, to: reconPath)
                line["reconstructions"] = reconPath
                line["recon_rmse"] = r.rmse
                line["kl"] = r.kl
                line["kl_per_unit"] = r.klPerUnit
                line["active_units"] = r.activeUnits
            }
            log.append(line)
            publish {
                $0.samples = m.samples
                $0.samplesStep = self.trainer.step
                $0.record(MilestoneMetrics(step: self.trainer.step, nearestNeighbourRMSE: nn.meanRMSE, swd: swd.mean))
                $0.reconstructions = m.reconstructions
                $0.milestoneTiming = timing
                $0.status = $0.paused ? "paused" : "training"
            }
        } catch {
            publish { $0.status = "sampling failed: \(error)"; $0.lastError = "sampling failed: \(error)" }
        }
    }

    func publish(_ body: (inout TrainingSnapshot) -> Void) { snapshot.update(body) }

    /// The training set's side of the metrics: built once, from the start of `run` (see `MetricReferenceBuild`).
    let metricReference: MetricReferenceBuild
    /// Fixed training images a VAE milestone reconstructs (and estimates its KL per unit on).
    lazy var reference: Tensor = trainer.dataset.centreCrops(limit: 256)
}
