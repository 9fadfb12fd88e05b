/**
 * The process's memory cgroup: where it is and what it says, read every sample without
 * allocating.
 * <ul>
 *   <li>Finding it: {@link dev.headroom.internal.cgroup.CgroupResolver} reads
 *       {@code /proc/self/cgroup} ({@link dev.headroom.internal.cgroup.ProcSelfCgroup}) and
 *       {@code /proc/self/mountinfo} ({@link dev.headroom.internal.cgroup.MountInfo}) into a
 *       {@link dev.headroom.internal.cgroup.CgroupLocation}: v1, v2 or a hybrid host.</li>
 *   <li>Reading it: {@link dev.headroom.internal.cgroup.V2Reader} or
 *       {@link dev.headroom.internal.cgroup.V1Reader} fills a
 *       {@link dev.headroom.internal.cgroup.CgroupSample}, over shared rooms: the read-and-report
 *       helper ({@link dev.headroom.internal.cgroup.CgroupFiles}), the chain's limit and usage
 *       files, {@code memory.stat}, the PSI parser ({@link dev.headroom.internal.cgroup.Pressure})
 *       and the limit arithmetic ({@link dev.headroom.internal.cgroup.EffectiveLimit}).</li>
 *   <li>Watching it: {@link dev.headroom.internal.cgroup.CgroupMonitor} coordinates, re-resolving
 *       when the process moves or its cgroup goes away; it builds the public
 *       {@link dev.headroom.CgroupSnapshot} and describes the limited cgroups
 *       ({@link dev.headroom.internal.cgroup.CgroupChain}) for a watch between samples.</li>
 * </ul>
 * Files are opened and re-read through {@link dev.headroom.internal.kernfs}. Nothing here throws
 * for an odd cgroup: problems are recorded, naming the file, and reported as errors.
 */
package dev.headroom.internal.cgroup;
