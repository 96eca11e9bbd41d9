/*
 * Lists the Vulkan physical devices the Vulkan loader offers: the adapters that Dawn, onnxruntime's WebGPU
 * backend on Linux, chooses from. Built by scripts/gpu/prepare.sh (gcc, no Vulkan headers needed: the few
 * structures used are declared below as the Vulkan 1.0 specification lays them out) and run by check.sh.
 * Exit status: 0 with at least one device, 1 with none, 2 when the loader or an instance is missing.
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef int32_t VkResult;
typedef void *VkInstance;
typedef void *VkPhysicalDevice;
typedef void (*PFN_vkVoidFunction)(void);
typedef PFN_vkVoidFunction (*PFN_vkGetInstanceProcAddr)(VkInstance, const char *);

typedef struct {
  int32_t sType; /* VK_STRUCTURE_TYPE_APPLICATION_INFO = 0 */
  const void *pNext;
  const char *pApplicationName;
  uint32_t applicationVersion;
  const char *pEngineName;
  uint32_t engineVersion;
  uint32_t apiVersion;
} VkApplicationInfo;

typedef struct {
  int32_t sType; /* VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO = 1 */
  const void *pNext;
  uint32_t flags;
  const VkApplicationInfo *pApplicationInfo;
  uint32_t enabledLayerCount;
  const char *const *ppEnabledLayerNames;
  uint32_t enabledExtensionCount;
  const char *const *ppEnabledExtensionNames;
} VkInstanceCreateInfo;

/* The leading members of VkPhysicalDeviceProperties; the limits that follow are left in the padding. */
typedef union {
  struct {
    uint32_t apiVersion;
    uint32_t driverVersion;
    uint32_t vendorID;
    uint32_t deviceID;
    int32_t deviceType;
    char deviceName[256];
  } head;
  unsigned char whole[4096];
} VkPhysicalDeviceProperties;

typedef VkResult (*PFN_vkCreateInstance)(const VkInstanceCreateInfo *, const void *, VkInstance *);
typedef VkResult (*PFN_vkEnumeratePhysicalDevices)(VkInstance, uint32_t *, VkPhysicalDevice *);
typedef void (*PFN_vkGetPhysicalDeviceProperties)(VkPhysicalDevice, VkPhysicalDeviceProperties *);
typedef void (*PFN_vkDestroyInstance)(VkInstance, const void *);

static const char *device_type(int32_t type) {
  switch (type) {
    case 1: return "integrated GPU";
    case 2: return "discrete GPU";
    case 3: return "virtual GPU";
    case 4: return "CPU (software)";
    default: return "other";
  }
}

int main(void) {
  void *loader = dlopen("libvulkan.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!loader) {
    printf("vulkan: no loader (libvulkan.so.1): %s\n", dlerror());
    return 2;
  }
  PFN_vkGetInstanceProcAddr get_proc = (PFN_vkGetInstanceProcAddr)dlsym(loader, "vkGetInstanceProcAddr");
  if (!get_proc) {
    printf("vulkan: loader has no vkGetInstanceProcAddr\n");
    return 2;
  }
  PFN_vkCreateInstance create_instance = (PFN_vkCreateInstance)get_proc(NULL, "vkCreateInstance");
  VkApplicationInfo app = {0, NULL, "e2gan-vk-adapters", 1, "e2gan", 1, (1u << 22) | (1u << 12)}; /* Vulkan 1.1 */
  VkInstanceCreateInfo info = {1, NULL, 0, &app, 0, NULL, 0, NULL};
  VkInstance instance = NULL;
  VkResult result = create_instance ? create_instance(&info, NULL, &instance) : -1;
  if (result != 0) {
    printf("vulkan: vkCreateInstance failed (VkResult %d): no usable driver (ICD)?\n", result);
    return 2;
  }
  PFN_vkEnumeratePhysicalDevices enumerate = (PFN_vkEnumeratePhysicalDevices)get_proc(instance, "vkEnumeratePhysicalDevices");
  PFN_vkGetPhysicalDeviceProperties properties = (PFN_vkGetPhysicalDeviceProperties)get_proc(instance, "vkGetPhysicalDeviceProperties");
  PFN_vkDestroyInstance destroy = (PFN_vkDestroyInstance)get_proc(instance, "vkDestroyInstance");
  VkPhysicalDevice devices[16];
  uint32_t count = 16;
  result = enumerate(instance, &count, devices);
  if (result < 0) {
    printf("vulkan: vkEnumeratePhysicalDevices failed (VkResult %d)\n", result);
    return 2;
  }
  for (uint32_t i = 0; i < count; i++) {
    VkPhysicalDeviceProperties p;
    memset(&p, 0, sizeof p);
    properties(devices[i], &p);
    uint32_t v = p.head.apiVersion;
    printf("vulkan adapter %u: %s (%s, vendor 0x%04x device 0x%04x, Vulkan %u.%u.%u)\n", i, p.head.deviceName,
           device_type(p.head.deviceType), p.head.vendorID, p.head.deviceID, (v >> 22) & 0x7f, (v >> 12) & 0x3ff, v & 0xfff);
  }
  if (count == 0) printf("vulkan: the loader found no physical device\n");
  destroy(instance, NULL);
  return count > 0 ? 0 : 1;
}
