import DiffusionEngine
import Foundation

/// The interactive workbench (ncurses). Placeholder until the screens land: trains headless.
public enum WorkbenchApp {
    /// Runs the workbench until the user quits; returns the process exit code.
    public static func run(_ launch: AppLaunch) throws -> Int32 {
        let data = try launch.data.load(size: launch.options.model.imageSize)
        let session = try TrainingSession(options: launch.options, data: data, out: launch.out, resume: launch.checkpoint)
        StopSignal.install()
        let end = session.run { r, s in
            if r.step % 10 == 0 { print("step \(r.step)/\(s.totalSteps) loss \(r.loss)") }
        }
        print("\(end)")
        return 0
    }
}
