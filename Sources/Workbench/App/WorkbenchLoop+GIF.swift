import DiffusionEngine
import Foundation

/// The Denoise screen's `a`: once the worker has computed the whole chain viewed, it is written
/// as `ddpm render --gif` writes it (`ChainGIF`), and the status line says where it went.
extension WorkbenchLoop {
    /// Writes the pending GIF when its chain is complete; a failure is a one-line notice.
    func writePendingGIF(_ h: DenoiseHistory?) {
        guard state.denoise.gifPending, let h, h.settings == state.denoise.settings else { return }
        if let error = h.error {
            state.denoise.gifPending = false
            state.notice = "GIF: the chain cannot run: \(error)"
            return
        }
        guard let (shots, predictions) = ChainGIF.shots(of: h) else { return }
        state.denoise.gifPending = false
        let path = Self.gifPath(info: source.info, history: h)
        if let problem = ChainGIF.targetProblem(path) {
            // The problem names the folder: the file's own name keeps the line short.
            state.notice = "GIF \((path as NSString).lastPathComponent): \(problem)"
            return
        }
        do {
            let written = try ChainGIF.write(path, shots: shots, predictions: predictions)
            state.notice = "GIF written: \(path) (\(written.summary))"
        } catch {
            state.notice = "GIF \(path): \(error)"
        }
    }

    /// `<run>-step<N>-seed<S>[-ddim][-raw].gif`, named after the run (its folder, or the
    /// checkpoint's) and the chain: in the run folder this process writes, else (viewing a
    /// checkpoint, or watching another process's folder) in the current directory.
    static func gifPath(info: RunInfo, history h: DenoiseHistory) -> String {
        let ownFolder = info.watchedFolder == nil && !info.viewOnly ? info.outPath : nil
        let named = info.watchedFolder ?? info.outPath ?? info.checkpointPath.map { ($0 as NSString).deletingLastPathComponent } ?? ""
        var run = (named as NSString).lastPathComponent
        if run.isEmpty || run == "." || run == "/" {
            run = info.checkpointPath.map { (($0 as NSString).lastPathComponent as NSString).deletingPathExtension } ?? "chain"
        }
        let s = h.settings
        let name = "\(run)-step\(h.weightsStep)-seed\(s.seed)" + (s.sampler == .ddim ? "-ddim" : "") + (s.ema ? "" : "-raw") + ".gif"
        return ownFolder.map { $0 + "/" + name } ?? name
    }
}
