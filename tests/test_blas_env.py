"""bin/blas-env's choice of OpenBLAS kernels, on the CPUs its comments name, read from made-up /proc/cpuinfo
files (MINITRAIN_CPUINFO): portable mode is Haswell's kernels on every x86-64 CPU with AVX2 and FMA; native
mode picks the kernels measured quickest (SkylakeX on an AMD Zen 5 with AVX-512, Zen without it), and leaves
the rest to OpenBLAS."""
import platform
import subprocess

import pytest
from conftest import ROOT, without_blas_settings

pytestmark = pytest.mark.skipif(platform.machine().lower() not in ("x86_64", "amd64"),
                                reason="bin/blas-env reads the CPU's flags only on x86-64")

AVX2 = "fpu sse sse2 ssse3 sse4_1 sse4_2 avx avx2 fma bmi2"
AVX512 = "avx512f avx512dq avx512cd avx512bw avx512vl"
CPUS = {
    # vendor, cpu family, flags
    "zen5_epyc": ("AuthenticAMD", 26, f"{AVX2} {AVX512} avx512_bf16"),
    "zen5_without_avx512": ("AuthenticAMD", 26, AVX2),
    "zen4": ("AuthenticAMD", 25, f"{AVX2} {AVX512} avx512_bf16"),
    "sapphire_rapids": ("GenuineIntel", 6, f"{AVX2} {AVX512} avx512_bf16"),
    "skylake_sp": ("GenuineIntel", 6, f"{AVX2} {AVX512}"),
    "sandy_bridge": ("GenuineIntel", 6, "fpu sse sse2 ssse3 sse4_1 sse4_2 avx"),
}


def blas_env(tmp_path, cpu, mode=None, tunables=None):
    vendor, family, flags = CPUS[cpu]
    info = tmp_path / f"{cpu}.cpuinfo"
    info.write_text(f"processor\t: 0\nvendor_id\t: {vendor}\ncpu family\t: {family}\nflags\t\t: {flags}\n")
    env = without_blas_settings()
    if tunables:
        env["GLIBC_TUNABLES"] = tunables
    env["MINITRAIN_CPUINFO"] = str(info)
    if mode:
        env["MINITRAIN_BLAS"] = mode
    r = subprocess.run([str(ROOT / "bin" / "blas-env")], env=env, capture_output=True, text=True)
    settings = dict(line.split("=", 1) for line in r.stdout.split())
    return r.returncode, settings, r.stderr


@pytest.mark.parametrize("cpu", ["zen5_epyc", "zen5_without_avx512", "zen4", "sapphire_rapids", "skylake_sp"])
def test_portable_mode_is_haswells_kernels_on_one_thread_on_every_avx2_cpu(tmp_path, cpu):
    for mode in (None, "portable"):
        code, settings, err = blas_env(tmp_path, cpu, mode)
        assert code == 0 and err == "", err
        assert settings == {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "OPENBLAS_CORETYPE": "Haswell",
                            "MINITRAIN_BLAS": "portable", "GLIBC_TUNABLES": "glibc.malloc.hugetlb=1"}


def test_malloc_asks_for_huge_pages_and_keeps_the_callers_own_tunables(tmp_path):
    # The pass's native memory in 2 MB pages (bin/blas-env says why); a learner's own tunables stay, and a
    # choice of theirs about huge pages wins.
    for mode in ("portable", "native"):
        assert blas_env(tmp_path, "zen5_epyc", mode)[1]["GLIBC_TUNABLES"] == "glibc.malloc.hugetlb=1"
    settings = blas_env(tmp_path, "zen5_epyc", tunables="glibc.malloc.arena_max=2")[1]
    assert settings["GLIBC_TUNABLES"] == "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1"
    settings = blas_env(tmp_path, "zen5_epyc", tunables="glibc.malloc.hugetlb=0:glibc.malloc.arena_max=2")[1]
    assert settings["GLIBC_TUNABLES"] == "glibc.malloc.hugetlb=0:glibc.malloc.arena_max=2"


@pytest.mark.parametrize("cpu, core", [
    ("zen5_epyc", "SkylakeX"),           # measured: the shipped step 47-49 ms against 58-61 with Zen's kernels
    ("zen5_without_avx512", "Zen"),      # 0.3.19 would fall back to Barcelona's SSE3 kernels
    ("zen4", None),                      # family 25: OpenBLAS's own choice (not measured here)
    ("sapphire_rapids", "SkylakeX"),     # 0.3.19's Cooperlake setting is 2.5x slower in fp64
    ("skylake_sp", None),                # 0.3.19 picks SkylakeX itself
])
def test_native_mode_picks_the_kernels_measured_quickest(tmp_path, cpu, core):
    code, settings, err = blas_env(tmp_path, cpu, "native")
    assert code == 0 and err == "", err
    assert settings.get("OPENBLAS_CORETYPE") == core
    assert settings["MINITRAIN_BLAS"] == "native"


def test_a_cpu_without_avx2_runs_native_by_default_and_refuses_portable_by_name(tmp_path):
    code, settings, err = blas_env(tmp_path, "sandy_bridge")
    assert code == 0 and settings["MINITRAIN_BLAS"] == "native" and "OPENBLAS_CORETYPE" not in settings
    assert "portable mode needs an x86-64 CPU with AVX2 and FMA" in err
    code, settings, err = blas_env(tmp_path, "sandy_bridge", "portable")
    assert code == 1 and settings == {}
    assert err.count("\n") == 1 and "MINITRAIN_BLAS=portable needs an x86-64 CPU with AVX2 and FMA" in err
