/**
 * Teachers: what makes a pair's target from a photo (a built-in effect or an installed diffusion model).
 * Plain data only, so every value crosses IPC, WebSocket JSON and worker messages unchanged.
 */

/** A built-in effect (works offline) or an installed diffusion model. */
export interface TeacherInfo {
  kind: 'builtin' | 'diffusion';
  /** What to store in concept.teacher: the built-in id (e.g. 'sepia-vintage') or 'diffusion:<model name>'. */
  id: string;
  name: string;
  description: string;
}

/** One built-in effect applied to one photo, for the teacher gallery. */
export interface TeacherSample {
  teacherId: string;
  /** PNG blob of the effect's output (the photo scaled down). */
  sha256: string;
}
