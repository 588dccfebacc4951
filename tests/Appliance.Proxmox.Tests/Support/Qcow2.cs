using System.Security.Cryptography;

namespace Appliance.Proxmox.Tests.Support;

/// <summary>Stand-in images: the qcow2 signature (QFI\xfb) the importer checks, then random bytes. Not a disk QEMU could boot.</summary>
public static class Qcow2
{
    public static byte[] Image(int length)
    {
        var bytes = RandomNumberGenerator.GetBytes(length);
        bytes[0] = (byte)'Q';
        bytes[1] = (byte)'F';
        bytes[2] = (byte)'I';
        bytes[3] = 0xFB;
        return bytes;
    }
}
