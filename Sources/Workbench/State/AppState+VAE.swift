import DiffusionEngine
import TerminalUI

extension AppState {
    /// The VAE screen's keys. - Returns: true when the key was the screen's.
    mutating func handleVAE(_ key: Key) -> Bool {
        let last = VAEView.interpolationSteps - 1, n = vae.imageCount
        switch key {
        case .left, .character("h"): vae.position = max(0, vae.position - 1)
        case .right, .character("l"): vae.position = min(last, vae.position + 1)
        case .home, .character("g"): vae.position = 0
        case .end, .character("G"): vae.position = last
        case .character("a"): vae.from = (vae.from + 1) % n
        case .character("A"): vae.from = (vae.from + n - 1) % n
        case .character("b"): vae.to = (vae.to + 1) % n
        case .character("B"): vae.to = (vae.to + n - 1) % n
        case .character("n"): vae.priorSeed &+= 1
        case .character("v"): vae.versus.toggle()
        default: return false
        }
        return true
    }
}
