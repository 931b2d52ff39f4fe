#!/usr/bin/env pwsh
# One entry point for what `dotnet` alone does not do. Run as `dotnet pwsh build.ps1 <target>`.
#   test    build and run the test suite (what CI runs); -Filter passes an NUnit filter through
#   bench   run the CPU kernel benchmarks and the PyTorch CPU baseline, one after the other
# Later targets (CUDA backend): kernels, kernels -Check, device-bundle.
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('test', 'bench')]
    [string]$Target = 'test',
    [string]$Configuration = 'Release',
    [string]$Filter = ''
)
$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot

function Invoke-Checked([string]$what, [scriptblock]$block) {
    & $block
    if ($LASTEXITCODE -ne 0) { throw "$what failed with exit code $LASTEXITCODE." }
}

switch ($Target) {
    'test' {
        $testArgs = @('test', 'RawGan.sln', '-c', $Configuration)
        if ($Filter) { $testArgs += @('--', '--filter', $Filter) }
        Invoke-Checked 'dotnet test' { dotnet @testArgs }
    }
    'bench' {
        Invoke-Checked 'RawGan benchmarks' { dotnet run -c Release --project bench/RawGan.Bench -- --filter '*' }
        $env:OPENBLAS_CORETYPE = 'SkylakeX'
        Invoke-Checked 'PyTorch CPU baseline' { /usr/bin/python3 bench/torch_cpu_baseline.py }
    }
}
