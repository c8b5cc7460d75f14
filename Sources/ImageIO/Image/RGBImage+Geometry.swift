extension RGBImage {
    /// The `width` x `height` window whose top-left corner is at column `x`, row `y`.
    ///
    /// - Parameter flipHorizontally: mirror the window left-right (training augmentation); the
    ///   window is cut first, so `x` counts from the left of the unflipped image.
    /// - Precondition: the window lies inside the image (a programmer mistake otherwise).
    public func cropped(x: Int, y: Int, width: Int, height: Int, flipHorizontally: Bool = false) -> RGBImage {
        precondition(width > 0 && height > 0 && x >= 0 && y >= 0
                     && x + width <= self.width && y + height <= self.height,
                     "cropped: window \(width)x\(height) at (\(x),\(y)) is outside the \(self.width)x\(self.height) image")
        var out = [Float](repeating: 0, count: 3 * width * height)
        let srcW = self.width, srcH = self.height
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for c in 0..<3 {
                    for row in 0..<height {
                        let s = (c * srcH + y + row) * srcW + x
                        let d = (c * height + row) * width
                        if flipHorizontally {
                            for col in 0..<width { dst[d + col] = src[s + width - 1 - col] }
                        } else {
                            for col in 0..<width { dst[d + col] = src[s + col] }
                        }
                    }
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: out)
    }

    /// The centred `width` x `height` window (torchvision's CenterCrop).
    ///
    /// The offset is `(self.width - width) / 2` rounded down (torchvision rounds half to even;
    /// the two differ by one pixel only when the margin is odd).
    public func centreCropped(width: Int, height: Int) -> RGBImage {
        precondition(width <= self.width && height <= self.height,
                     "centreCropped: \(width)x\(height) does not fit the \(self.width)x\(self.height) image")
        return cropped(x: (self.width - width) / 2, y: (self.height - height) / 2, width: width, height: height)
    }
}
