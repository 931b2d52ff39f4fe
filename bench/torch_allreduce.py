#!/usr/bin/env python3
"""PyTorch's all-reduce between processes on this machine, over the message sizes `rawgan comm-bench` uses: the
baseline for RawGan's (bench/allreduce.sh runs both). torch.distributed with gloo on the CPU (one thread per rank,
as mpirun gives each RawGan rank one core) or NCCL on GPUs, float32, 3 warm-up and N timed all-reduces per size,
a barrier (and a device sync) after them counted as one more, as comm-bench does.

    python3 bench/torch_allreduce.py --ranks 2 --device cpu --json allreduce-torch.json
"""
import argparse
import json
import os
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp


def worker(rank, args, results):
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = str(args.port)
    torch.set_num_threads(1)
    cuda = args.device == "cuda"
    dist.init_process_group("nccl" if cuda else "gloo", rank=rank, world_size=args.ranks)
    device = torch.device("cuda", rank) if cuda else torch.device("cpu")
    rows = []
    for mb in args.sizes:
        t = torch.zeros(max(1, int(mb * 1e6 / 4)), dtype=torch.float32, device=device)
        for _ in range(3):
            dist.all_reduce(t)
        dist.barrier()
        if cuda:
            torch.cuda.synchronize()
        start = time.perf_counter()
        for _ in range(args.iterations):
            dist.all_reduce(t)
        dist.barrier()
        if cuda:
            torch.cuda.synchronize()
        seconds = (time.perf_counter() - start) / (args.iterations + 1)
        size = t.numel() * 4
        algbw = size / seconds / 1e9
        rows.append({"bytes": size, "seconds": seconds, "algbw_gbs": algbw, "busbw_gbs": algbw * 2 * (args.ranks - 1) / args.ranks})
    if rank == 0:
        results.update({"ranks": args.ranks, "transport": f"torch {torch.__version__} {dist.get_backend()}", "iterations": args.iterations, "results": rows})
    dist.destroy_process_group()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ranks", type=int, default=2)
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--sizes", type=lambda s: [float(x) for x in s.split(",")], default=[0.004, 0.06, 1, 4, 25], help="MB, comma-separated")
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument("--port", type=int, default=29517)
    parser.add_argument("--json", required=True)
    args = parser.parse_args()
    with mp.Manager() as manager:
        shared = manager.dict()
        mp.spawn(worker, args=(args, shared), nprocs=args.ranks, join=True)
        results = dict(shared)
    with open(args.json, "w") as f:
        json.dump(results, f)
    for r in results["results"]:
        print(f"{r['bytes'] / 1e6:10.4g} MB {r['seconds'] * 1e6:12.1f} µs {r['algbw_gbs']:8.3f} GB/s")


if __name__ == "__main__":
    main()
