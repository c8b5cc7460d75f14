import DiffusionEngine
import Foundation
import Workbench

/// `ddpm compare --checkpoint A --checkpoint-b B`: chain B runs B's model (with B's schedule,
/// objective and fix set as trained, `--b` over it) on A's noise, and the two trainings are judged
/// as `train --ab` judges them (`ABVerdict`), from the loss histories the checkpoints carry and
/// the nn-RMSE of the two chains' final images to the training set.
extension CompareCommand {
    /// B's model, when `--checkpoint-b` names one; it must make images of A's shape over A's T.
    func secondModel(matching cm: CheckpointModel) throws -> CheckpointModel? {
        guard let checkpointB else { return nil }
        let cmB = try CheckpointModel(path: checkpointB, ema: !raw)
        try FlagValues.checkSecondModel(cmB.options, path: checkpointB, beside: cm.options)
        return cmB
    }

    /// The training verdict of two checkpoints, with the chains' final x_0 as their samples.
    func trainingVerdict(a: CheckpointModel, b: CheckpointModel, chains: ChainPair) throws -> ABVerdict {
        let reference = try DataSource(folder: data, className: className).load(for: a.options.model).set.centreCrops()
        let na = try NearestNeighbourDistance.compute(samples: chains.chainA.x, training: reference).meanRMSE
        let nb = try NearestNeighbourDistance.compute(samples: chains.chainB.x, training: reference).meanRMSE
        let ca = try Checkpoint.load(path: a.path), cb = try Checkpoint.load(path: b.path)
        return ABVerdict(a: ca.lossHistory, b: cb.lossHistory, label: TrainerPair.label(a: a.options, b: b.options),
                         scales: ABVerdict.scales(a: a.options, b: b.options),
                         samples: .init(step: a.step, nnRMSEA: na, nnRMSEB: nb))
    }
}
