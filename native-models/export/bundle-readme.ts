import type { BundleManifest } from './manifest';

/** The README inside a bundle: what the files are and short, correct integration snippets for iOS and Android. */
export function bundleReadme(manifest: BundleManifest): string {
  const { input, output } = manifest;
  const h = input.height;
  const w = input.width;
  const variants = manifest.variants
    .map(
      (v) =>
        `| ${v.precision} | \`${v.file}\` | \`${v.ortFile}\` | ${(v.bytes / 1024 / 1024).toFixed(2)} MB | ${v.psnrVsFp32 === null ? '—' : `${v.psnrVsFp32.toFixed(1)} dB`} | ${v.cpuLatencyMs.toFixed(1)} ms |`,
    )
    .join('\n');
  return `# ${manifest.concept.name} — E2GAN mobile bundle

Prompt: ${manifest.concept.prompt || '(none)'}
Made with E2GAN Studio ${manifest.studioVersion} from base model \`${manifest.baseModel.id}\`.
${manifest.parameters.toLocaleString('en-US')} parameters, ${(manifest.macs / 1e9).toFixed(2)} GMACs per ${w}x${h} frame.

## Files

| precision | ONNX | ORT format | size | PSNR vs fp32 | desktop CPU latency |
|---|---|---|---|---|---|
${variants}

- \`concept.lora.safetensors\`: the LoRA-only delta and concept tokens, for apps that already ship the base model.
- \`required_operators.config\`: operator list for an ONNX Runtime reduced build (\`--include_ops_by_config\`).
- \`manifest.json\`: everything below in machine-readable form, with the sha256 of every file.

## Input and output

One frame in, one frame out. Pre- and post-processing are inside the model:

- input \`${input.name}\`: uint8 \`[1, ${h}, ${w}, 4]\`, RGBA pixels row by row (alpha is ignored)
- output \`${output.name}\`: uint8 \`[1, ${h}, ${w}, 4]\`, RGBA pixels, alpha 255

Scale or centre-crop the camera frame to ${w}x${h} first. Use the \`.ort\` files with ONNX Runtime Mobile and
the \`.onnx\` files anywhere else. On iOS, prefer the fp16 model with the Core ML execution provider; on Android,
try NNAPI or XNNPACK and keep the one that is fastest on your devices.

## iOS (Swift, onnxruntime-objc)

\`\`\`swift
// Podfile: pod 'onnxruntime-objc'
import onnxruntime_objc

final class ConceptFilter {
    private let env = try! ORTEnv(loggingLevel: .warning)
    private let session: ORTSession

    init() throws {
        let path = Bundle.main.path(forResource: "model.fp16", ofType: "ort")!
        let options = try ORTSessionOptions()
        try options.appendCoreMLExecutionProvider(with: ORTCoreMLExecutionProviderOptions())
        session = try ORTSession(env: env, modelPath: path, sessionOptions: options)
    }

    /// rgba: ${w * h * 4} bytes, ${w}x${h} RGBA (draw the camera frame into an RGBA CGContext of that size).
    func apply(rgba: Data) throws -> Data {
        let input = try ORTValue(tensorData: NSMutableData(data: rgba), elementType: .uInt8,
                                 shape: [1, ${h}, ${w}, 4])
        let outputs = try session.run(withInputs: ["${input.name}": input],
                                      outputNames: ["${output.name}"], runOptions: nil)
        return try outputs["${output.name}"]!.tensorData() as Data  // RGBA, ${w}x${h}
    }
}
\`\`\`

## Android (Kotlin, onnxruntime-android)

\`\`\`kotlin
// build.gradle: implementation("com.microsoft.onnxruntime:onnxruntime-android:1.20.0")
import ai.onnxruntime.OnnxTensor
import ai.onnxruntime.OrtEnvironment
import ai.onnxruntime.OrtSession
import android.graphics.Bitmap
import java.nio.ByteBuffer

class ConceptFilter(modelBytes: ByteArray) : AutoCloseable {
    private val env = OrtEnvironment.getEnvironment()
    private val session = env.createSession(modelBytes, OrtSession.SessionOptions().apply { addNnapi() })

    /** frame: a ${w}x${h} ARGB_8888 bitmap. Returns the edited frame. */
    fun apply(frame: Bitmap): Bitmap {
        val rgba = ByteBuffer.allocateDirect(${w * h * 4})
        frame.copyPixelsToBuffer(rgba)  // ARGB_8888 bitmaps store bytes in RGBA order
        rgba.rewind()
        OnnxTensor.createTensor(env, rgba, longArrayOf(1, ${h}, ${w}, 4), ai.onnxruntime.OnnxJavaType.UINT8).use { input ->
            session.run(mapOf("${input.name}" to input)).use { result ->
                val out = (result.get(0) as OnnxTensor).byteBuffer
                return Bitmap.createBitmap(${w}, ${h}, Bitmap.Config.ARGB_8888).apply { copyPixelsFromBuffer(out) }
            }
        }
    }

    override fun close() { session.close() }
}
\`\`\`
Load \`modelBytes\` from \`assets/model.ort\` (or \`model.int8.ort\` for the smallest download).
`;
}
