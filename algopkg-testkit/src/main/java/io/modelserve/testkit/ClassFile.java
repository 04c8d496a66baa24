package io.modelserve.testkit;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a class file says about itself, read from its bytes without loading it: its name, super
 * class, interfaces, access flags and the methods it references.
 *
 * <p>Read by hand rather than with {@code java.lang.classfile}, which is a preview API in Java 21.
 * Only the header and the constant pool are parsed; that is where every referenced method is named
 * (an invoke instruction, a method reference and a method handle all point at a constant pool entry).
 *
 * @param name       the binary name with dots, e.g. {@code com.example.Greeter}
 * @param superName  the super class with dots, or null for {@code java.lang.Object} itself
 * @param interfaces the interfaces it implements directly, with dots
 * @param access     the class's access flags ({@link #isConcrete()} reads them)
 * @param methodRefs the methods it references, in constant pool order
 */
public record ClassFile(String name, String superName, List<String> interfaces, int access, List<MethodRef> methodRefs) {
    private static final int ACC_PUBLIC = 0x0001;
    private static final int ACC_INTERFACE = 0x0200;
    private static final int ACC_ABSTRACT = 0x0400;

    /**
     * A method named in the constant pool.
     *
     * @param owner the class that declares it, with dots
     * @param name  the method's name
     */
    public record MethodRef(String owner, String name) {}

    /**
     * Parses a class file.
     *
     * @param bytes the file's contents
     * @return what it declares and references
     * @throws IOException when the bytes are not a class file
     */
    public static ClassFile parse(byte[] bytes) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        if (in.readInt() != 0xCAFEBABE) {
            throw new IOException("not a class file (bad magic number)");
        }
        in.readUnsignedShort(); // minor version
        in.readUnsignedShort(); // major version
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        int[] classNameIndex = new int[count];
        int[][] memberRefs = new int[count][];
        int[][] nameAndTypes = new int[count][];
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF(); // u2 length + modified UTF-8, exactly what readUTF reads
                case 7 -> classNameIndex[i] = in.readUnsignedShort();
                case 10, 11 -> memberRefs[i] = new int[] {in.readUnsignedShort(), in.readUnsignedShort()};
                case 12 -> nameAndTypes[i] = new int[] {in.readUnsignedShort(), in.readUnsignedShort()};
                case 9, 17, 18 -> in.skipNBytes(4); // Fieldref, Dynamic, InvokeDynamic
                case 3, 4 -> in.skipNBytes(4); // Integer, Float
                case 5, 6 -> { // Long, Double take two slots
                    in.skipNBytes(8);
                    i++;
                }
                case 8, 16, 19, 20 -> in.skipNBytes(2); // String, MethodType, Module, Package
                case 15 -> in.skipNBytes(3); // MethodHandle: kind + a reference to a Methodref
                default -> throw new IOException("unknown constant pool tag " + tag + " at entry " + i);
            }
        }
        int access = in.readUnsignedShort();
        String name = className(utf8, classNameIndex, in.readUnsignedShort());
        int superIndex = in.readUnsignedShort();
        String superName = superIndex == 0 ? null : className(utf8, classNameIndex, superIndex);
        int interfaceCount = in.readUnsignedShort();
        List<String> interfaces = new ArrayList<>(interfaceCount);
        for (int i = 0; i < interfaceCount; i++) {
            interfaces.add(className(utf8, classNameIndex, in.readUnsignedShort()));
        }
        List<MethodRef> refs = new ArrayList<>();
        for (int[] ref : memberRefs) {
            if (ref != null) {
                int[] nameAndType = nameAndTypes[ref[1]];
                refs.add(new MethodRef(className(utf8, classNameIndex, ref[0]), utf8[nameAndType[0]]));
            }
        }
        return new ClassFile(name, superName, List.copyOf(interfaces), access, List.copyOf(refs));
    }

    private static String className(String[] utf8, int[] classNameIndex, int index) throws IOException {
        if (index <= 0 || index >= classNameIndex.length || utf8[classNameIndex[index]] == null) {
            throw new IOException("malformed class file: constant pool entry " + index + " is not a class");
        }
        return utf8[classNameIndex[index]].replace('/', '.');
    }

    /** A public class that can be instantiated: neither an interface nor abstract. */
    public boolean isConcrete() {
        return (access & (ACC_INTERFACE | ACC_ABSTRACT)) == 0 && (access & ACC_PUBLIC) != 0;
    }

    /** Whether it references {@code owner.method}, e.g. {@code java.lang.System.exit}. */
    public boolean calls(String owner, String method) {
        return methodRefs.contains(new MethodRef(owner, method));
    }
}
