#!/usr/bin/env pwsh
# One entry point for what `dotnet` alone does not do. Run as `dotnet pwsh build.ps1 <target>`.
#   test    build and run the test suite (what CI runs); -Filter passes an NUnit filter through
#   bench   RawGan.Bench and bench/torch_baseline.py on this machine's CPU, one after the other, then one table
#           with RawGan/PyTorch per row in bench/results/comparison.md; -Repeat N keeps the best of N alternations
#   device-bundle  publish the tests, the CLI and the benchmarks self-contained for linux-x64 into one
#           folder (one shared runtime) and pack it as artifacts/device/rawgan-device.tar.xz, for a GPU
#           server with the driver and CUDA libraries but no .NET (tools/gpu-check.sh runs it there)
#   kernels compile kernels-cu/*.cu to src/Kernels/Ptx/*.ptx (nvcc, compute_80), each stamped with the
#           SHA-256 of its sources; with -Check, compile into a temporary folder instead, fail when a
#           committed PTX is stale, and build each as an sm_90 cubin with -Xptxas -v, failing on spills and
#           on a tensor-core convolution kernel (conv_tc) without HMMA instructions in its SASS
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('test', 'bench', 'kernels', 'device-bundle')]
    [string]$Target = 'test',
    [string]$Configuration = 'Release',
    [string]$Filter = '',
    [switch]$Check,
    [int]$Repeat = 1
)
$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot

function Invoke-Checked([string]$what, [scriptblock]$block) {
    & $block
    if ($LASTEXITCODE -ne 0) { throw "$what failed with exit code $LASTEXITCODE." }
}

# The kernels-cu headers other than common.cuh that a source includes, directly or through another header, in the
# order first met.
function Get-KernelHeaders([string]$path, [System.Collections.Generic.List[string]]$found) {
    foreach ($line in Get-Content $path) {
        if ($line -match '^\s*#include\s+"([^"]+)"' -and $Matches[1] -ne 'common.cuh' -and -not $found.Contains($Matches[1])) {
            $found.Add($Matches[1])
            Get-KernelHeaders "kernels-cu/$($Matches[1])" $found
        }
    }
}

# The hash a PTX file is stamped with: the shared header, its .cu and the other headers it includes, line endings
# normalised (a .cu that includes only common.cuh hashes common.cuh and itself).
function Get-KernelSourceHash([string]$cu) {
    $text = (Get-Content -Raw 'kernels-cu/common.cuh') + "`n//--`n" + (Get-Content -Raw $cu)
    $headers = [System.Collections.Generic.List[string]]::new()
    Get-KernelHeaders $cu $headers
    foreach ($h in $headers) { $text += "`n//--`n" + (Get-Content -Raw "kernels-cu/$h") }
    $bytes = [Text.Encoding]::UTF8.GetBytes($text.Replace("`r`n", "`n"))
    return [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData($bytes)).ToLowerInvariant()
}

# The tensor-core convolution's product kernels must reach the tensor cores: each needs HMMA instructions in its sm_90
# SASS (cuobjdump -sass of the cubin). Returns the failures.
function Test-TensorCoreSass([string]$name, [string]$cubin) {
    $sass = & cuobjdump -sass $cubin 2>&1
    if ($LASTEXITCODE -ne 0) { return @("cuobjdump -sass $name.cubin failed:`n$($sass -join "`n")") }
    $hmma = @{}
    $function = ''
    foreach ($line in $sass) {
        if ($line -match 'Function : (\w+)') { $function = $Matches[1]; $hmma[$function] = 0 }
        elseif ($function -and $line -match '\bHMMA\.') { $hmma[$function]++ }
    }
    $products = @($hmma.Keys | Where-Object { $_ -match '^conv2d_tc_(forward|backward_data|backward_weight)_' })
    if ($products.Count -eq 0) { return @("$name.cu: no tensor-core product kernels found in its SASS.") }
    $failures = @()
    foreach ($f in $products | Sort-Object) {
        if ($hmma[$f] -eq 0) { $failures += "$name.cu: $f has no HMMA instruction on sm_90 (not on tensor cores)." }
        else { Write-Host ("  {0,-40} {1,4} HMMA" -f $f, $hmma[$f]) }
    }
    return $failures
}

function Invoke-Kernels([bool]$check) {
    $nvcc = Get-Command nvcc -ErrorAction SilentlyContinue
    if (-not $nvcc) { throw "nvcc not found. Install the CUDA toolkit (Debian: apt-get install nvidia-cuda-toolkit from non-free), then retry." }
    # nvcc 11.8 rejects Debian 12's default g++ 12: use clang-14 (or g++-11) as the host compiler.
    $ccbin = if (Get-Command clang-14 -ErrorAction SilentlyContinue) { @('-ccbin', 'clang-14') }
             elseif (Get-Command g++-11 -ErrorAction SilentlyContinue) { @('-ccbin', 'g++-11') }
             else { @() }
    $outDir = if ($check) { Join-Path ([IO.Path]::GetTempPath()) "rawgan-ptx-$PID" } else { 'src/Kernels/Ptx' }
    New-Item -ItemType Directory -Force $outDir | Out-Null
    $failures = @()
    foreach ($cu in Get-ChildItem kernels-cu/*.cu | Sort-Object Name) {
        $name = $cu.BaseName
        $hash = Get-KernelSourceHash $cu.FullName
        if ($check) {
            # Freshness is the source hash in the committed PTX's first line, so the check compiles no PTX: only the
            # sm_90 cubin, whose ptxas report and SASS it inspects.
            $committed = "src/Kernels/Ptx/$name.ptx"
            $stamp = if (Test-Path $committed) { (Get-Content -TotalCount 1 $committed) } else { '' }
            if ($stamp -ne "// rawgan-source-sha256: $hash") {
                $failures += "$committed is stale or missing: run 'dotnet pwsh build.ps1 kernels' and commit the PTX."
            }
            $cubin = Join-Path $outDir "$name.cubin"
            $report = & nvcc @ccbin -cubin -arch=sm_90 -O3 -std=c++17 -Xptxas -v -Ikernels-cu $cu.FullName -o $cubin 2>&1
            if ($LASTEXITCODE -ne 0) { throw "nvcc -cubin $name.cu failed:`n$($report -join "`n")" }
            if ($name -like 'conv_tc*') { $failures += Test-TensorCoreSass $name $cubin }
            $functionName = ''
            foreach ($line in $report) {
                if ($line -match "Compiling entry function '(\w+)'") { $functionName = $Matches[1] }
                if ($line -match 'Used (\d+) registers') { Write-Host ("  {0,-40} {1,4} registers" -f $functionName, $Matches[1]) }
                if ($line -match '(\d+) bytes spill stores, (\d+) bytes spill loads' -and ([int]$Matches[1] -gt 0 -or [int]$Matches[2] -gt 0)) {
                    $failures += "$name.cu: $functionName spills registers ($line)."
                }
            }
        }
        else {
            $raw = Join-Path $outDir "$name.raw.ptx"
            Invoke-Checked "nvcc -ptx $name.cu" { nvcc @ccbin -ptx -arch=compute_80 -O3 -std=c++17 -Ikernels-cu $cu.FullName -o $raw }
            $ptx = "// rawgan-source-sha256: $hash`n" + (Get-Content -Raw $raw)
            Remove-Item $raw
            Set-Content -NoNewline -Path "$outDir/$name.ptx" -Value $ptx
            Write-Host "kernels-cu/$name.cu -> $outDir/$name.ptx"
        }
    }
    if ($check) {
        Remove-Item -Recurse -Force $outDir
        if ($failures.Count -gt 0) { throw ("Kernel check failed:`n" + ($failures -join "`n")) }
        Write-Host 'Kernel check passed: every PTX is up to date, no kernel spills registers on sm_90, and the tensor-core convolutions use HMMA.'
    }
}

function Invoke-DeviceBundle {
    $stage = 'artifacts/device-stage'
    $out = 'artifacts/device'
    Remove-Item -Recurse -Force $stage, $out -ErrorAction SilentlyContinue
    New-Item -ItemType Directory -Force $stage, $out | Out-Null
    $publish = @('-c', 'Release', '-r', 'linux-x64', '--self-contained', '-p:InvariantGlobalization=true', '-p:DebugType=none', '-o', $stage)
    foreach ($project in 'src/Cli', 'tests/RawGan.Tests', 'bench/RawGan.Bench') {
        Invoke-Checked "dotnet publish $project" { dotnet publish $project @publish }
    }
    Copy-Item tools/gpu-check.sh $stage
    Get-ChildItem bench/*.py -ErrorAction SilentlyContinue | Copy-Item -Destination $stage
    # bench/torch_baseline.py builds its BigGAN from the reference modules the parity fixtures come from.
    Copy-Item tests/reference/biggan_reference.py, tests/reference/make_fixtures.py $stage
    Invoke-Checked 'tar' { tar -C $stage -cJf "$out/rawgan-device.tar.xz" . }
    git rev-parse --short HEAD | Set-Content "$out/commit.txt"
    Remove-Item -Recurse -Force $stage
    $mb = (Get-Item "$out/rawgan-device.tar.xz").Length / 1MB
    Write-Host ("{0}/rawgan-device.tar.xz: {1:N1} MB" -f $out, $mb)
    # The device tool carries at most 64 MiB with the tracked tree (~6 MB): 55 MB leaves room for both.
    if ($mb -gt 55) { throw "The device bundle is $([math]::Round($mb, 1)) MB; it must stay under 55 MB." }
}

switch ($Target) {
    'test' {
        $testArgs = @('test', 'RawGan.sln', '-c', $Configuration)
        if ($Filter) { $testArgs += @('--', '--filter', $Filter) }
        Invoke-Checked 'dotnet test' { dotnet @testArgs }
    }
    'kernels' { Invoke-Kernels $Check.IsPresent }
    'device-bundle' { Invoke-DeviceBundle }
    'bench' {
        # BenchmarkDotNet (in-process) and the PyTorch baseline one after the other, then one table.
        $benchArgs = @("$Repeat")
        if ($Filter) { $benchArgs += $Filter }
        Invoke-Checked 'bench/compare.sh' { bash bench/compare.sh @benchArgs }
    }
}
